// A typed use of the package, checked by `tsc --noEmit` (never run).
import {
  Engine,
  ManualClock,
  OAuthError,
  IamkitError,
  ScimError,
  type CreatedApp,
  type Token,
  type ScimListResponse,
} from "iamkit";

export async function example(): Promise<number> {
  const clock = new ManualClock("2026-01-01T00:00:00Z");
  const engine = new Engine({ clock, algorithm: "ES256", issuer: "https://idp.example" });
  const org = engine.createOrganization("Acme");
  const app: CreatedApp = engine.createApp({
    ownerSid: org.sid,
    name: "Provisioner",
    scopes: ["managed-users/list"],
  });
  const token: Token = engine.token({
    grantType: "client_credentials",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
  });
  const expiresIn: number = token.expiresIn;
  const claims = engine.verify(token.accessToken);
  const sub: unknown = claims["sub"];
  clock.advance(60);
  const now: string = clock.now();
  const users: ScimListResponse = engine.scimListUsers(org.sid, {
    filter: 'userName sw "a"',
    count: 10,
  });
  try {
    engine.token({
      grantType: "client_credentials",
      clientId: app.clientId,
      clientSecret: "wrong",
    });
  } catch (error) {
    if (error instanceof OAuthError) {
      const code: string = error.code;
      const status: number = error.status;
      const twilio: number = error.twilioCode;
      void [code, status, twilio];
    } else if (error instanceof ScimError || error instanceof IamkitError) {
      throw error;
    }
  }
  const later: ScimListResponse = await engine.scimListUsersAsync(org.sid, { count: 1 });
  const saved: string = await engine.exportStateAsync();
  await engine.importStateAsync(saved);
  void later;
  const server = await engine.serve({ port: 0 });
  const url: string = server.url;
  await server.stop();
  void [sub, now, url, engine.exportState()];
  return expiresIn + users.totalResults;
}
