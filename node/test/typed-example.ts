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
  type RotatedSecret,
  type DemoApp,
  type EngineOptions,
  type ServeOptions,
} from "iamkit";

export async function example(): Promise<number> {
  const clock = new ManualClock("2026-01-01T00:00:00Z");
  const options: EngineOptions = { clock, algorithm: "ES256", scimRules: "rfc7643" };
  const engine = new Engine({ ...options, issuer: "https://idp.example" });
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
  const rotated: RotatedSecret = engine.rotateSecret(app.clientId, { graceSeconds: 60 });
  const until: string | null = rotated.previousValidUntil;
  const patched = engine.scimPatchUser(org.sid, "id", { Operations: [] }, { ifMatch: 'W/"1"' });
  const serve: ServeOptions = { port: 0, demo: true, responseStyle: "rfc" };
  const server = await engine.serve(serve);
  const url: string = server.url;
  const admin: string = server.bootstrap.adminToken;
  const apps = server.bootstrap.apps;
  if (apps !== null) {
    const demo: DemoApp = apps.orgAuthorizationCode;
    const id: string = apps.orgClientCredentials.clientId;
    const secret: string = apps.accountClientCredentials.clientSecret;
    const redirect: string | null = demo.redirectUri;
    void [id, secret, redirect];
  }
  const running: boolean = server.running;
  await server.stop();
  void [until, patched, admin, running];
  void [sub, now, url, engine.exportState()];
  return expiresIn + users.totalResults;
}

// What the generated types refuse (each line must be a type error).
export function refused(engine: Engine, server: Awaited<ReturnType<Engine["serve"]>>): void {
  // @ts-expect-error the grace period is an option, not a positional number
  engine.rotateSecret("OQ", 60);
  // @ts-expect-error no such response style
  void engine.serve({ responseStyle: "soap" });
  // @ts-expect-error no such option
  engine.updateApp("OQ", { nmae: "typo" });
  // @ts-expect-error apps is null without demo data
  void server.bootstrap.apps.orgClientCredentials;
  // @ts-expect-error a record field is a string, not a number
  const n: number = engine.createOrganization("A").sid;
  void n;
}
