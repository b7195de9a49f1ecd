/**
 * DRF's exact response bodies, byte for byte as observed on DRF 3.14 (the messages of
 * rest_framework/authentication.py, authtoken/serializers.py and exceptions.py, rendered by
 * JSONRenderer): compact JSON with non-ASCII kept.
 */
export const DRF_BODIES = {
  notAuthenticated: '{"detail":"Authentication credentials were not provided."}',
  noCredentials: '{"detail":"Invalid token header. No credentials provided."}',
  tokenHasSpaces: '{"detail":"Invalid token header. Token string should not contain spaces."}',
  tokenHasInvalidCharacters:
    '{"detail":"Invalid token header. Token string should not contain invalid characters."}',
  invalidToken: '{"detail":"Invalid token."}',
  userInactive: '{"detail":"User inactive or deleted."}',
  getNotAllowed: '{"detail":"Method \\"GET\\" not allowed."}',
  putNotAllowed: '{"detail":"Method \\"PUT\\" not allowed."}',
  notAcceptable: '{"detail":"Could not satisfy the request Accept header."}',
  notFound: '{"detail":"Not found."}',
  unableToLogIn: '{"non_field_errors":["Unable to log in with provided credentials."]}',
  passwordRequired: '{"password":["This field is required."]}',
  bothRequired: '{"username":["This field is required."],"password":["This field is required."]}',
  bothBlank:
    '{"username":["This field may not be blank."],"password":["This field may not be blank."]}',
  usernameBlank: '{"username":["This field may not be blank."]}',
  bothNull:
    '{"username":["This field may not be null."],"password":["This field may not be null."]}',
  bothNotString: '{"username":["Not a valid string."],"password":["Not a valid string."]}',
  noDataProvided: '{"non_field_errors":["No data provided"]}',
  textPlainUnsupported: '{"detail":"Unsupported media type \\"text/plain\\" in request."}',
  emptyMediaTypeUnsupported: '{"detail":"Unsupported media type \\"\\" in request."}',
  multipartWithoutBoundary:
    '{"detail":"Multipart form parse error - Invalid boundary in multipart: None"}',
  /** `AuthTokenSerializer` given a JSON value that is not an object. */
  expectedDictionary: (pythonType: string) =>
    `{"non_field_errors":["Invalid data. Expected a dictionary, but got ${pythonType}."]}`,
} as const;

/** The prefix of DRF's `JSONParser` error; the rest is Python's `json` message. */
export const JSON_PARSE_ERROR_PREFIX = '{"detail":"JSON parse error - ';

/** `OPTIONS /api/build-trigger/` with a valid token (tessera renders JSON only: no `text/html`). */
export const BUILD_TRIGGER_METADATA =
  '{"name":"Build Trigger","description":"","renders":["application/json"],' +
  '"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}';

/** `OPTIONS /api-token-auth/`: `ObtainAuthToken`'s metadata, with its own parser order. */
export const OBTAIN_TOKEN_METADATA =
  '{"name":"Obtain Auth Token","description":"","renders":["application/json"],' +
  '"parses":["application/x-www-form-urlencoded","multipart/form-data","application/json"],' +
  '"actions":{"POST":{' +
  '"username":{"type":"string","required":true,"read_only":false,"label":"Username"},' +
  '"password":{"type":"string","required":true,"read_only":false,"label":"Password"},' +
  '"token":{"type":"string","required":false,"read_only":true,"label":"Token"}}}}';
