// `npm run demo [-- --reset]`: three nodes (RU, KZ, BY) on loopback with mutual
// TLS and a depositary-signed registry; data in ./var/demo between runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDemo, DEMO_PARTIES } from '../src/demo/federation.js';

const { values } = parseArgs({
  options: { reset: { type: 'boolean', default: false }, 'log-level': { type: 'string', default: 'warn' } },
});
const t0 = Date.now();
const dir = path.resolve('var', 'demo');
process.stdout.write(`EIX: демонстрационная федерация (${values.reset ? 'с нуля' : 'данные сохраняются'} в ${dir})…\n`);
const demo = await startDemo({
  dir,
  reset: values.reset ?? false,
  logLevel: values['log-level'] ?? 'warn',
  // Issue 17.2: KZ answers from its demo registries (data/registries/demo-kz.json); the officer signs.
  registries: true,
});
const lines = [
  `Готово за ${((Date.now() - t0) / 1000).toFixed(1)} с. Даты вступления в силу — иллюстрация (data/treaty/demo-events.json).`,
  '',
  ...DEMO_PARTIES.map((p) => {
    const n = demo.nodes[p];
    return `${p}: API ${n.apiUrl}/api/v1 · документация ${n.apiUrl}/api/docs · обмен (mTLS) ${n.federationUrl}`;
  }),
  '',
  'Реестры Казахстана (демонстрация): запрос из России о должнике из примера (Иванов Иван Иванович) получает',
  'черновик ответа по данным реестров за несколько секунд; сотрудник Казахстана проверяет и подписывает его.',
  '',
  'Пользователи (пароли созданы при первом запуске, хранятся в var/demo/logins.json):',
  ...demo.logins.map(
    (l) => `  ${l.party}  ${l.login.padEnd(14)} ${l.password}  ${l.roles.join(',').padEnd(16)} ${l.body}`,
  ),
  '',
  'API-токены (заголовок Authorization: Bearer …):',
  ...demo.logins.filter((l) => l.roles.includes('officer')).map((l) => `  ${l.login.padEnd(14)} ${l.token}`),
  'Остановить: Ctrl-C',
];
process.stdout.write(`${lines.join('\n')}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nОстанавливаю узлы…\n');
  await demo.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
