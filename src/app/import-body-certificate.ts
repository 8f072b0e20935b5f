// Issue 15.1: the administrator imports the seal certificate the Party CA issued on the body's CSR. It is
// checked as a receiving node will check it (RECEIVING.md; inbound.ts): one of the Party's CA certificates
// in the trust registry issued it, it is valid now and not revoked, it names this Party and this body
// (urn:eix:body:<id>), it is a signing certificate — and it is on the key of the body's CSR. The previous
// certificate is kept beside the new one; messages signed with it carry it (x5c) and stay verifiable.
import { EixError } from '../domain/errors.js';
import { calendarDateRu } from '../domain/dates.js';
import { isRevoked } from '../domain/registry.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { ownBody, sealOf, type SealView } from './get-body-seal.js';

export async function importBodyCertificate(
  ctx: AppContext,
  actor: Actor,
  input: { bodyId: string; certPem: string },
): Promise<SealView> {
  requireAdmin(actor);
  const seals = ctx.seals;
  if (!seals) throw new EixError('signer.no_certificate', {}, 'На узле не настроено хранение ключей органов');
  const bodyId = input.bodyId;
  const certPem = input.certPem.trim();
  if (!certPem.includes('-----BEGIN CERTIFICATE-----'))
    throw new EixError(
      'pki.certificate',
      { field: 'certificate' },
      'Вставьте сертификат печати в формате PEM (строки между «-----BEGIN CERTIFICATE-----» и «-----END CERTIFICATE-----»)',
    );
  return ctx.db.transaction().execute(async (tx) => {
    const body = await ownBody(tx, ctx, bodyId);
    const files = await seals.read(bodyId);
    if (!files.csrPem)
      throw new EixError(
        'seal.no_request',
        { field: 'certificate', bodyId },
        `Для органа «${body.name}» нет запроса на сертификат печати: создайте его на странице органа и передайте в удостоверяющий центр Стороны`,
      );
    const registry = ctx.registry?.current() ?? null;
    const caPems = registry?.parties[ctx.party]?.caCertificates ?? [];
    if (caPems.length === 0)
      throw new EixError(
        'seal.no_registry',
        { field: 'certificate' },
        `На узле нет реестра доверия с сертификатом удостоверяющего центра Стороны ${ctx.party}: сертификат печати не с чем проверить`,
      );
    const now = ctx.clock.now();
    const objection = await seals.check({ certPem, csrPem: files.csrPem, party: ctx.party, bodyId, caPems, at: now });
    if (objection) {
      const field = { field: 'certificate', bodyId };
      switch (objection.code) {
        case 'seal.key_mismatch':
          throw new EixError(
            objection.code,
            field,
            'Сертификат выпущен не на ключ органа: его открытый ключ не совпадает с ключом из запроса на сертификат, созданного узлом. Передайте в удостоверяющий центр текущий запрос со страницы органа.',
          );
        case 'seal.issuer':
          throw new EixError(
            objection.code,
            field,
            `Сертификат выпущен не удостоверяющим центром Стороны ${ctx.party} из реестра доверия: принимающие узлы его не примут`,
          );
        case 'seal.expired':
          throw new EixError(
            objection.code,
            { ...field, notAfter: objection.notAfter },
            `Срок действия сертификата истёк ${calendarDateRu(objection.notAfter.slice(0, 10))}`,
          );
        case 'seal.not_yet_valid':
          throw new EixError(
            objection.code,
            { ...field, notBefore: objection.notBefore },
            `Срок действия сертификата начинается ${calendarDateRu(objection.notBefore.slice(0, 10))}`,
          );
        case 'seal.subject':
          throw new EixError(
            objection.code,
            { ...field, certificateBody: objection.bodyId, certificateParty: objection.party },
            `Сертификат выпущен на ${objection.bodyId ? `орган ${objection.bodyId}` : 'неизвестный орган'} Стороны ${objection.party ?? '—'}, а не на орган ${bodyId} Стороны ${ctx.party}`,
          );
        case 'seal.usage':
          throw new EixError(
            objection.code,
            field,
            'Сертификат не предназначен для подписи документов органа (это сертификат удостоверяющего центра или без права подписи)',
          );
      }
    }
    const serialNumber = seals.describe(certPem).serialNumber;
    if (registry && isRevoked(registry, serialNumber, now))
      throw new EixError(
        'seal.revoked',
        { field: 'certificate', serialNumber },
        'Этот сертификат отозван в реестре доверия',
      );
    await appendAudit(tx, ctx, actor, {
      action: 'body.seal_import',
      bodyId,
      subject: bodyId,
      details: { serialNumber, notAfter: seals.describe(certPem).notAfter },
    });
    // The files last, inside the transaction: a failed audit entry leaves the seal as it was.
    await seals.install(bodyId, certPem);
    return (await sealOf(ctx, bodyId, tx))!;
  });
}
