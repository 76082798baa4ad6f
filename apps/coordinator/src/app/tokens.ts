/** Injection tokens: every provider is injected with an explicit @Inject(token), because the
 * TypeScript transforms used here (tsx, vitest) emit no decorator type metadata. */
export const OPTIONS = Symbol('CoordinatorOptions');
export const DATABASE = Symbol('OpenedDatabase');
export const STORE = Symbol('Store');
export const ADMIN_TOKEN = Symbol('AdminToken');
export const IDENTITY = Symbol('CoordinatorIdentity');
export const ENROLLMENT = Symbol('EnrollmentService');
export const AUTHENTICATOR = Symbol('Authenticator');
export const GATEWAY = Symbol('SiteGateway');
export const CHECKPOINTS = Symbol('Checkpoints');
export const ENGINE = Symbol('RunEngine');
export const LOG = Symbol('Log');
export const USERS = Symbol('UserStore');
export const DASHBOARD_AUTH = Symbol('DashboardAuth');
export const DASHBOARD = Symbol('DashboardGateway');
