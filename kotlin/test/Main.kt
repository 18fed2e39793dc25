// The Kotlin test program: runs the shared OAuth scenario vectors and the SCIM
// filter vectors through the generated bindings, plus checks of the error classes,
// the clock, SCIM, roles, audit events and state. Exits non-zero on any failure.
package dev.iamkit.test

import dev.iamkit.*
import java.io.File
import java.time.Instant
import kotlin.system.exitProcess

var passed = 0
val failures = mutableListOf<String>()

fun check(what: String, ok: Boolean) {
    if (ok) passed++ else failures.add(what)
}

fun <T> expectError(what: String, block: () -> T): IamkitException? = try {
    block()
    failures.add("$what: no error")
    null
} catch (e: IamkitException) {
    e
}

/** The stable code of any binding error. */
val IamkitException.errorCode: String
    get() = when (this) {
        is IamkitException.App -> code
        is IamkitException.Authorize -> code
        is IamkitException.OAuth -> code
        is IamkitException.Token -> code
        is IamkitException.Access -> code
        is IamkitException.Scim -> code
        is IamkitException.Role -> code
        is IamkitException.State -> code
        is IamkitException.Other -> code
        is IamkitException.InvalidArgument -> "invalid_argument"
    }

// ---- the OAuth scenario vectors (tests/vectors/oauth/README.md) ----

typealias Step = Map<String, Any?>

fun Step.str(key: String): String = this[key] as String
fun Step.opt(key: String): String? = this[key] as String?
fun Step.long(key: String): Long? = (this[key] as Number?)?.toLong()
@Suppress("UNCHECKED_CAST")
fun Step.strings(key: String): List<String>? = this[key] as List<String>?

fun resolve(value: Any?, bound: Map<String, Map<String, Any?>>): Any? = when (value) {
    is String -> Regex("""\$\{([^}]*)\}""").replace(value) { m ->
        val ref = m.groupValues[1]
        val alias = ref.substringBefore('.')
        val name = if ('.' in ref) ref.substringAfter('.') else "id"
        val found = bound.getValue(alias)[name]
        if (found is String) found else toJson(found)
    }
    is List<*> -> value.map { resolve(it, bound) }
    is Map<*, *> -> value.entries.associate { it.key as String to resolve(it.value, bound) }
    else -> value
}

fun runStep(engine: Engine, clock: ManualClock, s: Step): Map<String, Any?> = when (s.str("op")) {
    "advance" -> { clock.advance(s.long("seconds")!!); mapOf() }
    "create_organization" -> mapOf("id" to engine.createOrganization(s.str("name")).sid)
    "create_account" -> mapOf("id" to engine.createAccount(s.str("organization"), s.str("name")).account.sid)
    "create_user" -> mapOf(
        "id" to engine.createUser(
            NewUser(
                organizationSid = s.str("organization"),
                userName = s.str("user_name"),
                roles = s.strings("roles") ?: listOf(),
                sso = s["sso"] as Boolean? ?: false,
            ),
        ).sid,
    )
    "create_app" -> {
        val created = engine.createApp(
            NewApp(
                ownerSid = s.str("owner"),
                name = s.opt("name") ?: "",
                scopes = s.strings("scopes") ?: listOf(),
                grantType = s.opt("grant_type") ?: "client_credentials",
                redirectUrl = s.opt("redirect_url"),
                tokenTtl = s.long("token_ttl")?.toULong(),
                description = s.opt("description"),
                companyName = s.opt("company_name"),
                imageUrls = s.strings("image_urls") ?: listOf(),
                homepageUrl = s.opt("homepage_url"),
                termsOfServiceUrl = s.opt("terms_of_service_url"),
            ),
        )
        mapOf(
            "id" to created.app.clientId,
            "client_secret" to created.clientSecret,
            "token_ttl" to created.app.tokenTtl.toLong(),
            "scopes" to created.app.scopes,
        )
    }
    "update_app" -> {
        val app = engine.updateApp(
            s.str("client_id"),
            AppUpdate(
                name = s.opt("name"),
                description = s.opt("description"),
                scopes = s.strings("scopes"),
                tokenTtl = s.long("token_ttl")?.toULong(),
                redirectUrl = s.opt("redirect_url"),
            ),
        )
        mapOf("id" to app.clientId, "token_ttl" to app.tokenTtl.toLong(), "scopes" to app.scopes, "name" to app.name)
    }
    "rotate_secret" -> {
        val rotated = engine.rotateSecret(s.str("client_id"), s.long("grace_seconds")?.toULong())
        mapOf("id" to rotated.app.clientId, "client_secret" to rotated.clientSecret)
    }
    "delete_app" -> { engine.deleteApp(s.str("client_id")); mapOf() }
    "authorize" -> {
        val granted = engine.authorize(
            AuthorizeRequest(
                clientId = s.str("client_id"),
                redirectUri = s.str("redirect_uri"),
                userSid = s.str("user_sid"),
                responseType = s.opt("response_type") ?: "code",
                scope = s.opt("scope"),
                state = s.opt("state"),
                codeChallenge = s.opt("code_challenge"),
                codeChallengeMethod = s.opt("code_challenge_method"),
            ),
        )
        mapOf("code" to granted.code, "redirect_to" to granted.redirectTo, "authorization_sid" to granted.authorization.sid)
    }
    "token" -> {
        val t = engine.token(
            TokenRequest(
                grantType = s.opt("grant_type") ?: "",
                clientId = s.opt("client_id"),
                clientSecret = s.opt("client_secret"),
                code = s.opt("code"),
                redirectUri = s.opt("redirect_uri"),
                refreshToken = s.opt("refresh_token"),
                codeVerifier = s.opt("code_verifier"),
                scope = s.opt("scope"),
            ),
        )
        mapOf(
            "access_token" to t.accessToken, "id_token" to t.idToken, "token_type" to t.tokenType,
            "expires_in" to t.expiresIn.toLong(), "refresh_token" to t.refreshToken, "scope" to t.scope,
        )
    }
    "verify" -> {
        val c = engine.verify(s.str("token"))
        mapOf(
            "iss" to c.iss, "sub" to c.sub, "aud" to c.aud, "iat" to c.iat, "nbf" to c.nbf, "exp" to c.exp,
            "jti" to c.jti, "scope" to c.scope, "client_id" to c.clientId, "organization_sid" to c.organizationSid,
            "account_sid" to c.accountSid, "grant_sid" to c.grantSid,
        ).filterValues { it != null }
    }
    "check_access" -> mapOf("permission" to engine.checkAccess(s.str("token"), s.str("method"), s.str("path")).permission)
    "introspect" -> {
        val i = engine.introspect(s.str("token"))
        mapOf(
            "active" to i.active, "scope" to i.scope, "client_id" to i.clientId, "token_type" to i.tokenType,
            "exp" to i.exp, "iat" to i.iat, "nbf" to i.nbf, "sub" to i.sub, "aud" to i.aud, "iss" to i.iss,
            "jti" to i.jti, "organization_sid" to i.organizationSid, "account_sid" to i.accountSid,
        ).filterValues { it != null }
    }
    "revoke_token" -> { engine.revokeToken(s.str("client_id"), s.str("client_secret"), s.str("token")); mapOf() }
    "revoke_authorization" -> {
        val sid = s.str("authorization_sid")
        val revoked = engine.revokeAuthorization(sid)
        check("authorization $sid is found revoked", engine.authorization(sid) == revoked && revoked.revokedAt != null)
        mapOf()
    }
    else -> error("unknown op ${s["op"]}")
}

/** JSON-equal: numbers compare by value whatever their Kotlin type. */
fun same(a: Any?, b: Any?): Boolean = when {
    a is Number && b is Number -> a.toDouble() == b.toDouble()
    a is List<*> && b is List<*> -> a.size == b.size && a.indices.all { same(a[it], b[it]) }
    else -> a == b
}

@Suppress("UNCHECKED_CAST")
fun runScenario(file: String, scenario: Map<String, Any?>): String? {
    val clock = ManualClock(Instant.parse(scenario["start"] as String? ?: "2026-01-01T00:00:00Z"))
    val engine = Engine(EngineOptions(clock = clock))
    val bound = mutableMapOf<String, Map<String, Any?>>()
    for ((i, raw) in (scenario["steps"] as List<Step>).withIndex()) {
        val step = resolve(raw - "expect", bound) as Step
        val at = "$file: ${scenario["name"]}: step $i (${step["op"]})"
        val wantError = step.opt("expect_error")
        val result = try {
            runStep(engine, clock, step)
        } catch (e: IamkitException) {
            if (wantError == null) return "$at: unexpected error ${e.errorCode}: ${e.message}"
            if (e.errorCode != wantError) return "$at: error ${e.errorCode}, expected $wantError"
            continue
        }
        if (wantError != null) return "$at: expected error $wantError, got ${toJson(result)}"
        step.opt("as")?.let { bound[it] = result }
        val expect = resolve(raw["expect"] ?: mapOf<String, Any?>(), bound) as Map<String, Any?>
        for ((key, want) in expect) {
            if (key !in result) return "$at: no field $key in ${result.keys}"
            if (!same(result[key], want)) return "$at: field $key is ${toJson(result[key])}, expected ${toJson(want)}"
        }
    }
    return null
}

@Suppress("UNCHECKED_CAST")
fun oauthVectors(root: File) {
    val files = File(root, "tests/vectors/oauth").listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
    var scenarios = 0
    for (file in files) {
        val doc = parseJson(file.readText()) as Map<String, Any?>
        for (scenario in doc["scenarios"] as List<Map<String, Any?>>) {
            scenarios++
            val failure = runScenario(file.name, scenario)
            check(failure ?: "", failure == null)
        }
    }
    println("OAuth vectors: $scenarios scenarios in ${files.size} files")
    check("at least 44 OAuth scenarios (found $scenarios)", scenarios >= 44)
}

// ---- the SCIM filter vectors (tests/vectors/scim/matches.json) ----

@Suppress("UNCHECKED_CAST")
fun scimMatchVectors(root: File) {
    val doc = parseJson(File(root, "tests/vectors/scim/matches.json").readText()) as Map<String, Any?>
    val users = doc["users"] as Map<String, Any?>
    val cases = doc["cases"] as List<Map<String, Any?>>
    for ((i, c) in cases.withIndex()) {
        val matched = filterMatches(c["filter"] as String, toJson(users[c["user"]]))
        check("match $i: ${c["user"]}: ${c["filter"]} should be ${c["match"]}", matched == c["match"])
    }
    println("SCIM match vectors: ${cases.size} cases")
    check("SCIM match cases present", cases.size >= 20)
}

// ---- the engine through Kotlin ----

fun errors() {
    val clock = ManualClock()
    val engine = Engine(EngineOptions(clock = clock))
    val org = engine.createOrganization("Acme")
    val created = engine.createApp(NewApp(ownerSid = org.sid, name = "P", scopes = listOf("managed-users/list")))

    val wrong = expectError("wrong secret") {
        engine.token(TokenRequest(grantType = "client_credentials", clientId = created.app.clientId, clientSecret = "guess"))
    }
    check("a wrong secret raises IamkitException.OAuth, got $wrong", wrong is IamkitException.OAuth)
    if (wrong is IamkitException.OAuth) {
        check("wrong secret code ${wrong.code}", wrong.code == "invalid_client")
        check("wrong secret status ${wrong.status}", wrong.status == 401.toUShort())
        check("wrong secret twilio code ${wrong.twilioCode}", wrong.twilioCode == 20003.toUInt())
        check("the message names the code", wrong.message!!.contains("invalid_client"))
        check("the message holds no secret", !wrong.message!!.contains("guess"))
    }

    val token = engine.token(
        TokenRequest(grantType = "client_credentials", clientId = created.app.clientId, clientSecret = created.clientSecret),
    )
    check("token type", token.tokenType == "Bearer" && token.expiresIn == 3600UL)
    check("toString hides the access token", !token.toString().contains(token.accessToken))
    check("toString hides the client secret", !created.toString().contains(created.clientSecret))
    check("check_access allows", engine.checkAccess(token.accessToken, "GET", "/scim/v2/Users").permission == "managed-users/list")
    val denied = expectError("insufficient scope") {
        engine.checkAccess(token.accessToken, "DELETE", "/scim/v2/Users/US0123456789abcdef0123456789abcdef")
    }
    check("insufficient scope is an Access error: $denied", denied is IamkitException.Access && denied.code == "insufficient_scope")

    clock.advance(3599)
    check("valid for 3599 s", engine.verify(token.accessToken).clientId == created.app.clientId)
    clock.advance(1)
    val expired = expectError("expired") { engine.verify(token.accessToken) }
    check("expiry is a Token error: $expired", expired is IamkitException.Token && expired.code == "token_expired")
    check("introspection of an expired token is inactive", !engine.introspect(token.accessToken).active)
    val seen = engine.inspectToken(token.accessToken)
    check("inspection: expired at this instant: $seen", !seen.valid && seen.code == "token_expired" && seen.expiredSecondsAgo == 0L)
    check("inspection shows the claims as JSON text", seen.claims!!.contains("\"client_id\":\"${created.app.clientId}\""))
    val garbage = engine.inspectToken("not a token")
    check("inspection of garbage: $garbage", garbage.code == "malformed_token" && garbage.header == null && garbage.claims == null)
    check("the clock moved 3600 s", clock.now() == Instant.parse("2026-01-01T01:00:00Z"))

    val badSid = expectError("bad sid") { engine.organization("nope") }
    check("a malformed sid is an App error: $badSid", badSid is IamkitException.App && badSid.status == 400.toUShort())
    val badRole = expectError("bad role") { engine.createUser(NewUser(organizationSid = org.sid, userName = "a@b.example", roles = listOf("Emperor"))) }
    check("an unknown role name is InvalidArgument: $badRole", badRole is IamkitException.InvalidArgument)
    val badAlgorithm = try { Engine(EngineOptions(algorithm = "none")); null } catch (e: IamkitException) { e }
    check("an unknown algorithm is an invalid argument: $badAlgorithm", badAlgorithm is IamkitException.InvalidArgument && badAlgorithm.detail.startsWith("algorithm: "))
    val badRules = try { Engine(EngineOptions(scimRules = "loose")); null } catch (e: IamkitException) { e }
    check("unknown SCIM rules are an invalid argument: $badRules", badRules is IamkitException.InvalidArgument && badRules.detail == "scim_rules: unknown SCIM rule set \"loose\": expected twilio or rfc7643")
    val loose = Engine(EngineOptions(scimRules = "rfc7643"))
    val looseUser = loose.scimCreateUser(loose.createOrganization("A").sid, """{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "no-email"}""")
    check("rfc7643 rules take a user without an email", looseUser.contains("no-email"))
    check("the engine's default algorithm", Engine().algorithm() == "ES256")

    val dir = java.nio.file.Files.createTempDirectory("iamkit-db")
    val database = dir.resolve("iamkit.db").toString()
    val durable = Engine(EngineOptions(database = database, algorithm = "HS256"))
    val kept = durable.createOrganization("Kept").sid
    val locked = expectError("second open") { Engine(EngineOptions(database = database)) }
    check("a second engine on the file is a State error: $locked", locked is IamkitException.State && locked.code == "database_locked")
    durable.close()
    val reopened = Engine(EngineOptions(database = database))
    check("the database keeps organizations", reopened.organization(kept).name == "Kept")
    check("the database keeps the signing key", reopened.algorithm() == "HS256")
    reopened.close()
}

@Suppress("UNCHECKED_CAST")
fun scimAndMore() {
    val clock = ManualClock(Instant.parse("2026-03-01T00:00:00Z"))
    val engine = Engine(EngineOptions(clock = clock))
    val org = engine.createOrganization("Acme").sid
    for ((name, active) in listOf("ada@acme.example" to true, "bob@acme.example" to false)) {
        engine.scimCreateUser(
            org,
            toJson(mapOf("userName" to name, "active" to active, "emails" to listOf(mapOf("value" to name, "primary" to true)))),
        )
    }
    val list = parseJson(engine.scimListUsers(org, ScimQuery(filter = "active eq true"))) as Map<String, Any?>
    check("SCIM filter through the engine: ${list["totalResults"]}", list["totalResults"] == 1L)
    val ada = (list["Resources"] as List<Map<String, Any?>>).single()
    check("the filtered user", ada["userName"] == "ada@acme.example")
    val id = ada["id"] as String
    val patched = parseJson(
        engine.scimPatchUser(
            org, id,
            """{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}""",
        ),
    ) as Map<String, Any?>
    check("PATCH applied", patched["active"] == false)
    val all = parseJson(engine.scimListUsers(org)) as Map<String, Any?>
    check("two users listed", all["totalResults"] == 2L)
    val invalid = expectError("invalid filter") { engine.scimListUsers(org, ScimQuery(filter = "userName gt true")) }
    check("invalid filter: $invalid", invalid is IamkitException.Scim && invalid.code == "invalidFilter" && invalid.status == 400.toUShort())
    val notJson = expectError("not JSON") { engine.scimCreateUser(org, "{") }
    check("a body that is not JSON is invalidSyntax: $notJson", notJson is IamkitException.Scim && notJson.code == "invalidSyntax")
    val projected = parseJson(engine.scimGetUser(org, id, ScimProjection(attributes = listOf("userName")))) as Map<String, Any?>
    check("projection keeps userName and drops active", projected["userName"] == "ada@acme.example" && "active" !in projected)
    engine.scimDeleteUser(org, id)
    val gone = expectError("deleted") { engine.scimGetUser(org, id) }
    check("a deleted user is not found: $gone", gone is IamkitException.Scim && gone.status == 404.toUShort())

    val roles = engine.roles()
    check("six roles", roles.size == 6)
    val bobId = ((parseJson(engine.scimListUsers(org)) as Map<String, Any?>)["Resources"] as List<Map<String, Any?>>).single()["id"] as String
    val owner = roles.first { it.friendlyName == "Owner" }
    val assignment = engine.createRoleAssignment(org, NewRoleAssignment(roleSid = owner.sid, scope = org, identity = bobId))
    check("role assignment listed", engine.roleAssignments(org, RoleAssignmentQuery(identity = bobId)).content.map { it.sid } == listOf(assignment.sid))
    val duplicate = expectError("duplicate assignment") {
        engine.createRoleAssignment(org, NewRoleAssignment(roleSid = owner.sid, scope = org, identity = bobId))
    }
    check("a duplicate assignment is a Role error: $duplicate", duplicate is IamkitException.Role)

    val created = engine.createApp(NewApp(ownerSid = org, name = "A", scopes = listOf("roles/list")))
    val events = engine.auditEvents(AuditQuery(eventType = "oauth-apps.created"))
    check("audit event of the app", events.map { it.subject } == listOf(created.app.clientId))
    check("audit details are JSON", parseJson(events.single().details) is Map<*, *>)
    check("no secret in audit events", engine.auditEvents().none { it.details.contains(created.clientSecret) })

    val state = engine.exportState()
    check("no secret in the export", !state.contains(created.clientSecret))
    val copy = Engine(EngineOptions(clock = clock))
    copy.importState(state)
    check("import keeps the app", copy.app(created.app.clientId).name == "A")
    val badState = expectError("bad state") { copy.importState("{}") }
    check("a bad state is a State error: $badState", badState is IamkitException.State)
    val jwks = parseJson(engine.jwks()) as Map<String, Any?>
    check("JWKS has one key", (jwks["keys"] as List<*>).size == 1)
    val metadata = parseJson(engine.metadata()) as Map<String, Any?>
    check("metadata names the token endpoint", (metadata["token_endpoint"] as String).endsWith("/v2/token"))
}

fun accounts() {
    val engine = Engine(EngineOptions(clock = ManualClock()))
    val org = engine.createOrganization("Acme").sid
    val owner = engine.createUser(NewUser(organizationSid = org, userName = "owner@acme.example", roles = listOf("Owner")))
    val first = engine.createAccount(org, "A")
    check("the Owner owns an account: ${first.account}", first.account.ownerSid == owner.sid)
    check("toString hides the auth token", !first.toString().contains(first.authToken))
    val second = engine.createAccount(org, "B", ownerSid = owner.sid)
    val page = engine.accounts(org, AccountQuery(pageSize = 1u))
    check("a page of one account: ${page.content}", page.content.map { it.sid } == listOf(first.account.sid))
    check("50 is not the size asked for", page.meta.pageSize == 1u && page.meta.page == 0u)
    val next = engine.accounts(org, AccountQuery(pageSize = 1u, pageToken = page.meta.nextToken))
    check("the next page: ${next.content}", next.content.map { it.sid } == listOf(second.account.sid) && next.meta.nextPageUrl == null)
    check("the default page holds 50", engine.accounts(org).meta.pageSize == 50u)
    val tooBig = expectError("page size 101") { engine.accounts(org, AccountQuery(pageSize = 101u)) }
    check("page size 101 is an App error: $tooBig", tooBig is IamkitException.App && tooBig.code == "invalid_page_size" && tooBig.status == 400.toUShort())

    val acct = first.account.sid
    val made = engine.createAccountApp(acct, first.authToken, """{"friendly_name": "Reporter", "policy": {"allow": ["messages/read"], "deny": null}, "access_token_ttl": 120}""")
    check("an account app by auth token: ${made.app}", made.app.tokenTtl == 120UL && made.app.createdBy == acct && made.app.accountSid == acct)
    val updated = engine.updateAccountApp(acct, first.authToken, made.app.clientId, """{"friendly_name": null, "access_token_ttl": 60}""")
    check("null keeps the name", updated.name == "Reporter" && updated.tokenTtl == 60UL)
    val wrong = expectError("wrong auth token") { engine.deleteAccountApp(acct, "0".repeat(32), made.app.clientId) }
    check("a wrong auth token is a 401 App error: $wrong", wrong is IamkitException.App && wrong.code == "invalid_credentials" && wrong.status == 401.toUShort())
    val theirs = expectError("another account's app") { engine.deleteAccountApp(second.account.sid, second.authToken, made.app.clientId) }
    check("another account's app is not found: $theirs", theirs is IamkitException.App && theirs.status == 404.toUShort())
    engine.deleteAccountApp(acct, first.authToken, made.app.clientId)
    check("the app is gone", engine.apps(acct).isEmpty())
    val rotated = engine.rotateAuthToken(acct)
    val old = expectError("old auth token") { engine.deleteAccountApp(acct, first.authToken, made.app.clientId) }
    check("the old auth token stops working: $old", old is IamkitException.App && old.code == "invalid_credentials")
    check("the new one works", engine.createAccountApp(acct, rotated, """{"friendly_name": "R", "policy": {"allow": ["messages/read"]}}""").app.name == "R")
}

fun main(args: Array<String>) {
    val root = File(args.firstOrNull() ?: ".")
    oauthVectors(root)
    scimMatchVectors(root)
    errors()
    scimAndMore()
    accounts()
    for (failure in failures) System.err.println("FAIL: $failure")
    println("kotlin: ${passed} passed, ${failures.size} failed")
    if (failures.isNotEmpty()) exitProcess(1)
}
