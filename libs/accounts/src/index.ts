export { SCRYPT, hashPassword, verifyPassword, generatePassword } from './passwords.js';
export { LoginThrottle, FREE_FAILURES, MAX_LOCK_MS } from './login-throttle.js';
export { TokenRevocations, tokenHash, type Revocation } from './token-revocations.js';
export { SESSION_TTL_MS, SignedTokens, generationOf, loadOrCreateSessionSecret, sessionSecretPath } from './session-tokens.js';
export { AccountInputError, accountInput, accountName, choosePassword, normaliseUsername } from './account-input.js';
