// The attachment rule (src/domain/attachments.ts), issue 13 item 6, ASVS 4.0.3
// V12.2.1 / V12.3.4: pure verdicts on the declared type, the file
// name and the type found in the content; the text check; download names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOWED_TYPES_RU,
  downloadFileName,
  judgeAttachment,
  textProblem,
  typeOfFileName,
  typeOfMediaType,
} from '../../src/domain/attachments.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const utf8 = (s: string) => new TextEncoder().encode(s);

test('issue 13 item 6: the allowlist is PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT, ODS, TXT — nothing that runs', () => {
  assert.equal(
    ALLOWED_TYPES_RU,
    'PDF (.pdf), PNG (.png), JPEG (.jpg, .jpeg), TIFF (.tif, .tiff), DOCX (.docx), XLSX (.xlsx), ODT (.odt), ODS (.ods), TXT (.txt)',
  );
  for (const mt of [
    'text/html',
    'text/javascript',
    'application/javascript',
    'image/svg+xml',
    'application/xml',
    'text/xml',
    'application/xhtml+xml',
    'application/rtf',
    'application/msword',
    'application/vnd.ms-word.document.macroenabled.12',
    'application/zip',
    'application/octet-stream',
    'application/x-msdownload',
  ])
    assert.equal(typeOfMediaType(mt), null, mt);
  assert.equal(typeOfMediaType('Image/JPG')?.label, 'JPEG', 'aliases and case');
  assert.equal(typeOfMediaType('text/plain; charset=utf-8')?.label, 'TXT', 'parameters ignored');
  assert.equal(typeOfFileName('Скан.TIF')?.label, 'TIFF');
  assert.equal(typeOfFileName('справка'), null);
});

test('issue 13 item 6, V12.2.1: declared type, extension and content must agree', () => {
  const ok = judgeAttachment({ fileName: 'справка.docx', declared: DOCX, detected: DOCX, text: null });
  assert.ok(ok.ok && ok.type.label === 'DOCX');
  const cases: [string, string, string | null, string, string][] = [
    ['page.html', 'text/html', null, 'attachment.type', 'declared_type'],
    ['app.js', 'text/javascript', null, 'attachment.type', 'declared_type'],
    ['скан.pdf', 'image/png', 'image/png', 'attachment.type', 'extension'],
    ['справка', 'application/pdf', 'application/pdf', 'attachment.type', 'extension'],
    ['скан.pdf', 'application/pdf', 'image/png', 'attachment.content', 'content'],
    ['справка.pdf', 'application/pdf', null, 'attachment.content', 'content'],
    ['справка.docx', DOCX, 'application/zip', 'attachment.content', 'content'],
    ['справка.docx', DOCX, 'application/vnd.ms-word.document.macroenabled.12', 'attachment.content', 'content'],
    ['справка.txt', 'text/plain', 'application/x-msdownload', 'attachment.content', 'content'],
  ];
  for (const [fileName, declared, detected, code, reason] of cases) {
    const v = judgeAttachment({ fileName, declared, detected, text: null });
    assert.ok(!v.ok, `${fileName} ${declared} ${detected}`);
    assert.deepEqual([v.code, v.reason], [code, reason], `${fileName} ${declared} ${detected}`);
    assert.ok(v.message.startsWith(`Вложение «${fileName}»:`), v.message);
    assert.ok(v.message.endsWith(`Допускаются только документы: ${ALLOWED_TYPES_RU}`), v.message);
  }
  const text = judgeAttachment({ fileName: 'a.txt', declared: 'text/plain', detected: null, text: 'markup' });
  assert.ok(!text.ok && text.code === 'attachment.content' && text.reason === 'markup');
});

test('issue 13 item 6: plain text is UTF-8 without control characters, HTML/XML markup or script URLs', () => {
  assert.equal(textProblem(utf8('Справка о доходах\r\n\tСумма: 100\f')), null);
  assert.equal(textProblem(utf8('\uFEFFСправка; 3 < 5 и 7 > 2')), null, 'a BOM and comparison signs are text');
  assert.equal(textProblem(new Uint8Array([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2])), 'encoding', 'Windows-1251');
  assert.equal(textProblem(utf8('abc\u0000def')), 'control');
  assert.equal(textProblem(utf8('abc\u001bdef')), 'control');
  for (const s of [
    '<!DOCTYPE html><p>x',
    '  <html>',
    '<p>Справка</p>',
    '<?xml version="1.0"?><svg/>',
    'Справка\n<script>alert(1)</script>',
    'см. <img src=x onerror=alert(1)>',
    'Ссылка: javascript:alert(1)',
    'текст <SVG onload=alert(1)>',
    'текст < iframe src=//evil>',
  ])
    assert.equal(textProblem(utf8(s)), 'markup', s);
});

test('issue 13 item 6, V12.3.4: a download is saved under a clean name whose extension fits what is served', () => {
  const pdf = typeOfMediaType('application/pdf');
  const txt = typeOfMediaType('text/plain');
  assert.equal(downloadFileName('справка.pdf', pdf), 'справка.pdf');
  assert.equal(downloadFileName('справка', pdf), 'справка.pdf');
  assert.equal(downloadFileName('page.html', txt), 'page.html.txt');
  assert.equal(downloadFileName('page.html', null), 'page.html.bin', 'not on the list: octet-stream, .bin');
  assert.equal(downloadFileName('../../etc/passwd', txt), '_.._etc_passwd.txt');
  assert.equal(downloadFileName('a"b\r\nContent-Type: text/html.pdf', pdf), 'a_bContent-Type_ text_html.pdf');
  assert.equal(downloadFileName('evil\u202Efdp.exe', null), 'evilfdp.exe.bin', 'no bidi override');
  assert.equal(downloadFileName('...', null), 'вложение.bin');
  assert.equal([...downloadFileName('я'.repeat(300) + '.pdf', pdf)].length, 154);
});
