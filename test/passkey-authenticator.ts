import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoCBOR } from "@simplewebauthn/server/helpers";

/**
 * A software authenticator for HTTP tests: what a browser and a platform
 * authenticator together hand back to navigator.credentials.create/get,
 * built from a node:crypto ES256 key pair. It only ENCODES (authenticator
 * data, 'none' attestation, the COSE key through the library's own CBOR
 * encoder) and signs; every check of what it produces is the server's, done
 * by @simplewebauthn/server. Options let a test forge exactly one thing
 * (another origin, RP id, counter, a flipped byte) to see it refused.
 */
export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  /** base64url of the user handle the server gave at registration. */
  userHandle: string;
  counter: number;
}

export interface AssertOverrides {
  credentialId?: string;
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  counter?: number;
  userVerified?: boolean;
  /** Omit the user handle (a non-discoverable answer). */
  noUserHandle?: boolean;
  userHandle?: string;
  /** Sign with this key instead of the credential's. */
  signWith?: KeyObject;
}

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

/** An authenticator AAGUID that is in no table: names fall back to the browser. */
export const TEST_AAGUID = "01020304-0506-0708-0102-030405060708";

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    readonly options: {
      rpId: string;
      origin: string;
      userVerified?: boolean;
      aaguid?: string;
      /** Backup eligible and backed up (a synced passkey). */
      synced?: boolean;
    },
  ) {}

  /** navigator.credentials.create() for `options`, as the browser serialises it. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: { origin?: string; rpId?: string; challenge?: string; credentialId?: string } = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x as string, "base64url"))],
      [-3, new Uint8Array(Buffer.from(jwk.y as string, "base64url"))],
    ]);
    const idBytes = randomBytes(16);
    const id = overrides.credentialId ?? b64url(idBytes);
    const aaguid = Buffer.from((this.options.aaguid ?? TEST_AAGUID).replace(/-/g, ""), "hex");
    const credIdBytes = Buffer.from(id, "base64url");
    const attested = Buffer.concat([
      aaguid,
      u16(credIdBytes.length),
      credIdBytes,
      Buffer.from(isoCBOR.encode(cose)),
    ]);
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? this.options.rpId),
      Buffer.from([this.flags(this.options.userVerified ?? true) | FLAG_AT]),
      u32(0),
      attested,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", new Uint8Array(authData)],
      ]),
    );
    const clientDataJSON = this.clientData({
      type: "webauthn.create",
      challenge: overrides.challenge ?? options.challenge,
      origin: overrides.origin ?? this.options.origin,
    });
    this.credentials.push({ id, privateKey, userHandle: options.user.id, counter: 0 });
    return {
      id,
      rawId: id,
      type: "public-key",
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ["internal", "hybrid"],
      },
    };
  }

  /** navigator.credentials.get(): the first allowed credential this authenticator holds. */
  assert(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: AssertOverrides = {},
  ): AuthenticationResponseJSON {
    const allowed = (options.allowCredentials ?? []).map((c) => c.id);
    const credential = overrides.credentialId
      ? this.credentials.find((c) => c.id === overrides.credentialId)
      : this.credentials.find((c) => allowed.length === 0 || allowed.includes(c.id));
    const id = overrides.credentialId ?? credential?.id;
    if (!id) throw new Error("the soft authenticator holds no allowed credential");
    if (credential) credential.counter += 1;
    const counter = overrides.counter ?? credential?.counter ?? 1;
    const authenticatorData = Buffer.concat([
      sha256(overrides.rpId ?? this.options.rpId),
      Buffer.from([this.flags(overrides.userVerified ?? this.options.userVerified ?? true)]),
      u32(counter),
    ]);
    const clientDataJSON = this.clientData({
      type: overrides.type ?? "webauthn.get",
      challenge: overrides.challenge ?? options.challenge,
      origin: overrides.origin ?? this.options.origin,
    });
    const key = overrides.signWith ?? credential?.privateKey;
    if (!key) throw new Error("no key to sign with");
    const signature = sign(
      "sha256",
      Buffer.concat([authenticatorData, sha256(clientDataJSON)]),
      key,
    );
    const userHandle = overrides.noUserHandle
      ? undefined
      : (overrides.userHandle ?? credential?.userHandle);
    return {
      id,
      rawId: id,
      type: "public-key",
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        ...(userHandle === undefined ? {} : { userHandle }),
      },
    };
  }

  private flags(userVerified: boolean): number {
    let flags = FLAG_UP;
    if (userVerified) flags |= FLAG_UV;
    if (this.options.synced) flags |= FLAG_BE | FLAG_BS;
    return flags;
  }

  private clientData(fields: { type: string; challenge: string; origin: string }): Buffer {
    return Buffer.from(JSON.stringify({ ...fields, crossOrigin: false }));
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Flips one byte of a base64url field (tampering in transit). */
export function tamper(field: string, index = 10): string {
  const bytes = Buffer.from(field, "base64url");
  const at = Math.min(index, bytes.length - 1);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return b64url(bytes);
}
