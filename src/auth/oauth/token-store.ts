import type { Deps } from "../../deps.js";
import { createSecretBox, type SecretBox } from "../../totp/secret-box.js";
import { NO_TOKENS, type StoredTokens } from "./identities.js";
import type { ProviderTokens } from "./types.js";

/**
 * Provider tokens at rest. By default (OAUTH_STORE_TOKENS=false) nothing is
 * kept: the tokens are used once to read the profile and dropped, so a
 * database leak hands out no access to anyone's Google or GitHub account.
 * When an app needs them later, they are sealed with AES-256-GCM (the 2FA
 * module's SecretBox) under a key derived for this purpose only, with the
 * identity id and token kind as associated data: a ciphertext copied into
 * another row, or from the access to the refresh column, does not open.
 */
export interface TokenStore {
  readonly enabled: boolean;
  seal(identityId: string, tokens: ProviderTokens): StoredTokens;
  /** Undefined when nothing is stored or the ciphertext does not authenticate. */
  open(
    identityId: string,
    stored: {
      accessTokenEnc: string | null;
      refreshTokenEnc: string | null;
      tokenKeyId: string | null;
    },
  ): ProviderTokens | undefined;
}

export function createTokenStore(deps: Pick<Deps, "config" | "random">): TokenStore {
  const enabled = deps.config.oauth.storeTokens;
  const box: SecretBox = createSecretBox({
    secretKey: deps.config.secretKey,
    purpose: "oauth_tokens",
    random: deps.random,
  });
  const text = (bytes: Uint8Array | undefined) =>
    bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8");

  return {
    enabled,
    seal(identityId, tokens) {
      if (!enabled) return NO_TOKENS;
      const access = box.seal(Buffer.from(tokens.accessToken), `${identityId}:access`);
      const refresh =
        tokens.refreshToken === null
          ? null
          : box.seal(Buffer.from(tokens.refreshToken), `${identityId}:refresh`).ciphertext;
      return {
        accessTokenEnc: access.ciphertext,
        refreshTokenEnc: refresh,
        tokenKeyId: access.keyId,
      };
    },
    open(identityId, stored) {
      if (stored.accessTokenEnc === null || stored.tokenKeyId === null) return undefined;
      const keyId = stored.tokenKeyId;
      const accessToken = text(
        box.open({ ciphertext: stored.accessTokenEnc, keyId }, `${identityId}:access`),
      );
      if (accessToken === undefined) return undefined;
      let refreshToken: string | null = null;
      if (stored.refreshTokenEnc !== null) {
        const opened = text(
          box.open({ ciphertext: stored.refreshTokenEnc, keyId }, `${identityId}:refresh`),
        );
        if (opened === undefined) return undefined;
        refreshToken = opened;
      }
      return { accessToken, refreshToken };
    },
  };
}
