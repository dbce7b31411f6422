export type { AuthProvider } from './auth/auth-provider';
export {
  RefreshTokenAuth,
  tokenUrlFor,
  type RefreshTokenAuthOptions,
  type SuperOfficeEnvironment,
} from './auth/refresh-token-auth';
export {
  SystemUserAuth,
  systemUserUrlFor,
  type SystemUserAuthOptions,
} from './auth/system-user-auth';
export {
  AppPrivateKeyError,
  loadAppPrivateKey,
  signSystemUserToken,
  systemTokenTimestamp,
  type AppPrivateKeyInput,
} from './auth/system-user-token';
export { jwksKeys, jwksUrlFor } from './auth/jwks';
export { loginBaseOf, loginEndpoints, type LoginEndpoints } from './auth/login-endpoints';
export { createPkcePair, pkceChallenge, randomToken } from './auth/pkce';
export { validateIdToken, type IdTokenClaims, type IdTokenExpectations } from './auth/id-token';
export {
  authorizeRedirectUrl,
  exchangeAuthorizationCode,
  type AuthorizeRequest,
  type CodeExchange,
  type CodeTokens,
} from './auth/authorization-code';
export {
  JwtRejected,
  jwtKeyId,
  keysOfJwks,
  TICKET_CLAIM,
  ticketFromSystemUserJwt,
  verifiedJwtClaims,
  type SigningKey,
  type SystemUserJwtExpectations,
} from './auth/jwt';
export {
  fixedTenantUrl,
  statusTenantUrl,
  tenantStatusUrlFor,
  type StatusTenantUrlOptions,
  type TenantUrlResolver,
} from './auth/tenant-url';
export {
  escapeJsonPointer,
  SuperOfficeClient,
  udfPatchOperations,
  type PatchUdfsOptions,
  type SuperOfficeClientOptions,
  type UdfOwner,
  type UdfWriteMode,
} from './client';
export { UDF_PATCH_ROOT } from './udf/udf-write';
export { INFERRED } from './inferred';
export {
  createSuperOfficeAuth,
  createSuperOfficeClient,
  type SuperOfficeConnectionSettings,
  type SuperOfficeCredentials,
} from './create-client';
export { contactEntitySchema, type ContactEntity } from './entities/contact';
export { personEntitySchema, type PersonEntity } from './entities/person';
export { principalSchema, type Principal } from './entities/user';
export {
  mdoListItemSchema,
  udfDefinitionSchema,
  udfFieldTypes,
  udfKey,
  type MdoListItem,
  type UdfDefinition,
} from './entities/udf-layout';
export {
  CONNECTOR_WEBHOOK_EVENTS,
  CONNECTOR_WEBHOOK_NAME,
  generateWebhookSecret,
  isConnectorWebhook,
  WEBHOOK_STATES,
  webhookSchema,
  webhookTestResultSchema,
  type Webhook,
  type WebhookDefinition,
  type WebhookTestResult,
} from './entities/webhook';
export {
  kindForStatus,
  parseRetryAfter,
  SuperOfficeError,
  type SuperOfficeErrorKind,
} from './http/errors';
export type { CallRecord } from './http/request';
export { PATCH_CONTENT_TYPE, PATCH_FALLBACK_CONTENT_TYPE } from './http/json-patch-request';
export {
  parseSuperOfficeDate,
  toHttpDate,
  type SuperOfficeInstant,
} from './dates/superoffice-date';
export { createRateLimiter } from './http/rate-limiter';
export {
  displayTextKey,
  formatUdfValue,
  isCompanionKey,
  parseUdfValue,
  readUdfs,
  type UdfField,
  type UdfValue,
} from './udf/udf-codec';
export { allOf, isEmpty, oneOf, quote, updatedAfter } from './queries/odata-filter';
export {
  CONTACT_INPUT_COLUMNS,
  PERSON_INPUT_COLUMNS,
  queryContactRows,
  queryPersonRows,
  udfColumn,
  type ContactRow,
  type FeedOptions,
  type PersonRow,
} from './queries/record-feed';
export {
  candidatesFor,
  chooseUdfTargets,
  UDF_TARGETS,
  udfKind,
  type UdfCandidate,
  type UdfKind,
  type UdfTarget,
  type UdfTargetName,
} from './udf/udf-kinds';
