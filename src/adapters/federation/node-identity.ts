// Which node is at the other end of a TLS connection, checked against the
// registry in force: its certificate names a node (`urn:eix:node:<id>`) of a
// Party, chains to one of that Party's CAs now and is not revoked. The
// federation endpoint asks it of a client (any Party), the sender of the
// server it reached (the Party it addresses).
import { isRevoked, type Registry } from '../../domain/registry.js';
import { certificateInfo, verifyCertificate } from '../crypto/pki.js';

export type NodeIdentity =
  | { readonly ok: true; readonly nodeId: string; readonly party: string }
  | { readonly ok: false; readonly nodeId: string | null; readonly problem: string };

/** `party`: the Party the node must belong to; null: whichever Party lists it. */
export async function checkNodeCertificate(
  registry: Registry,
  pem: string,
  party: string | null,
  now: Date,
): Promise<NodeIdentity> {
  const info = certificateInfo(pem);
  const nodeId = info.nodeId ?? null;
  const listedBy = (p: string) => registry.parties[p]?.nodes.some((n) => n.id === nodeId) ?? false;
  const owner = party ?? Object.keys(registry.parties).find(listedBy) ?? null;
  if (!nodeId || !owner || !listedBy(owner)) {
    return {
      ok: false,
      nodeId,
      problem: party
        ? `сертификат выдан узлу ${nodeId ?? '(без идентификатора)'}, который не является узлом Стороны ${party} в реестре`
        : `узел ${nodeId ?? '(без идентификатора)'} отсутствует в реестре`,
    };
  }
  const chained = await Promise.all(
    registry.parties[owner]!.caCertificates.map((ca) => verifyCertificate(pem, ca, now)),
  );
  if (!chained.some((r) => r.ok)) {
    return { ok: false, nodeId, problem: `сертификат узла ${nodeId} не выдан удостоверяющим центром Стороны ${owner}` };
  }
  if (isRevoked(registry, info.serialNumber, now)) {
    return { ok: false, nodeId, problem: `сертификат узла ${nodeId} отозван` };
  }
  return { ok: true, nodeId, party: owner };
}
