// An AWS Lambda function (custom runtime, NativeAOT `bootstrap`) that authorises API Gateway HTTP API requests with
// Auth0 access tokens, Bearer or DPoP (RFC 9449). No Amazon.Lambda.* package: RuntimeApi speaks the Lambda Runtime API
// (next invocation, response, error, init error) over HTTP.
//
//   AUTH0_LAMBDA_MODE=authorizer (default): a Lambda REQUEST authorizer, payload format 2.0 with simple responses:
//                                           {"isAuthorized":true,"context":{"sub":..,"scope":..,"scheme":..}}
//   AUTH0_LAMBDA_MODE=api:                  the protected handler itself (a proxy integration, payload format 2.0):
//                                           200 with the caller's sub and scope, or 401/400 with WWW-Authenticate
//
// Settings (environment variables, read once at init; a bad one is reported to /runtime/init/error):
//   AUTH0_DOMAIN     the tenant's domain (e.g. example.us.auth0.com)
//   AUTH0_AUDIENCE   the API identifier
//   AUTH0_JWKS       the tenant's JWKS document (JSON), or AUTH0_JWKS_FILE: a path to it (relative: to LAMBDA_TASK_ROOT)
//   AUTH0_DPOP_MODE  allowed (default), required or disabled
//
// The keys are seeded, and the library is built without its HTTP fetch paths (Auth0ApiAotHttpFetch=false): the first
// invocation makes no network request. Run it locally against a Runtime API emulator:
//
//   dotnet run --project samples/Auth0.Api.Aot.Lambda.Client -c Release

using System;
using System.Threading;
using Auth0.Api.Aot.Lambda;

return await LambdaBootstrap.RunAsync(Environment.GetEnvironmentVariable, TimeProvider.System, CancellationToken.None);
