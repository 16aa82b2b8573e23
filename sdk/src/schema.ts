/**
 * Generated from the platform's OpenAPI document (sdk/openapi.json) by openapi-typescript.
 * Do not edit: run `npm run sdk:generate`.
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database answers and the broker listens */
        get: operations["getReadyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/devices/{id}/telemetry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A device's telemetry over HTTP; 202 once stored
         * @description The payload formats and limits of MQTT telemetry (at most 65536 bytes). 202 means the readings are committed, as a QoS 1 PUBACK does; a refused payload is a 400 `invalid-telemetry` whose `reason` is the broker's.
         */
        post: operations["postDevicesTelemetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account */
        post: operations["postAuthSignup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with email and password */
        post: operations["postAuthLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/mfa": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Complete a login with a TOTP or recovery code */
        post: operations["postAuthMfa"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for a new pair (the old one stops working)
         * @description Without `refresh_token`, the one in the cookie `iotp_refresh` (a console session): the call must then send `x-iotp-csrf: 1` and come from the platform's origin, and the new refresh token replaces the cookie.
         */
        post: operations["postAuthRefresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End this session */
        post: operations["postAuthLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every session of this account */
        post: operations["postAuthLogoutAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/verify-email/request": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the verification mail again */
        post: operations["postAuthVerifyEmailRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/verify-email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify an email address with the mailed token */
        post: operations["postAuthVerifyEmail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password-reset/request": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail a password reset link (the same answer whether or not the account exists) */
        post: operations["postAuthPasswordResetRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password with the mailed token; ends every session */
        post: operations["postAuthPasswordReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that verify access tokens */
        get: operations["getWellKnownJwksJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your profile */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change your name or profile */
        patch: operations["patchMe"];
        trace?: never;
    };
    "/v1/me/avatar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your avatar image */
        get: operations["getMeAvatar"];
        /** Upload an avatar: a PNG, JPEG, GIF or WebP file as the raw body, at most 1 MiB */
        put: operations["putMeAvatar"];
        post?: never;
        /** Remove your avatar */
        delete: operations["deleteMeAvatar"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your preferences */
        get: operations["getMePreferences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change your preferences */
        patch: operations["patchMePreferences"];
        trace?: never;
    };
    "/v1/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change the password; ends every other session */
        put: operations["putMePassword"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your signed-in sessions, one per device or browser */
        get: operations["getMeSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign out one of your sessions */
        delete: operations["deleteMeSessionsById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your personal API keys (never their secrets) */
        get: operations["getMeApiKeys"];
        put?: never;
        /** Create an API key; its secret is shown in this response only */
        post: operations["postMeApiKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of your personal API keys */
        delete: operations["deleteMeApiKeysById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/mfa/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start TOTP enrollment: a secret and an otpauth:// URI for a QR code */
        post: operations["postMeMfaTotp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/mfa/totp/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm enrollment with a code; returns one-time recovery codes */
        post: operations["postMeMfaTotpConfirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/mfa/totp/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn off two-factor authentication, confirmed with a current code */
        post: operations["postMeMfaTotpDisable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Purge a user now (memberships, sessions, keys, personal data); refused while they are the last owner of an organization */
        delete: operations["deleteAdminUsersById"];
        options?: never;
        head?: never;
        /** Change a user: name, email (unverified again unless email_verified is sent), verification, disabling */
        patch: operations["patchAdminUsersById"];
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The platform's users (operators only) */
        get: operations["getAdminUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable a user: their sessions end and signing in is refused (operators only) */
        post: operations["postAdminUsersDisable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable a disabled user again (operators only) */
        post: operations["postAdminUsersEnable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's recent account activity (operators only) */
        get: operations["getAdminUsersActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/deletion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete my account after a grace period (ACCOUNT_DELETION_GRACE_DAYS); every session and API key ends now */
        post: operations["postMeDeletion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/deletion/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Keep an account whose deletion is pending; sign in again afterwards */
        post: operations["postAuthDeletionCancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My data as an NDJSON attachment: one record a line (profile, preferences, session, api_key, membership, activity, notification) */
        get: operations["getMeExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Find people who share an organization with me, by a part of their name or email */
        get: operations["getUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}/avatar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Another user's avatar image */
        get: operations["getUsersAvatar"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your organizations, with your role in each */
        get: operations["getOrgs"];
        put?: never;
        /** Create an organization; you become its owner */
        post: operations["postOrgs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One organization, with your role in it */
        get: operations["getOrgsByOrgId"];
        put?: never;
        post?: never;
        /** Step two: devices' credentials stop working at once; data is purged after a grace period */
        delete: operations["deleteOrgsByOrgId"];
        options?: never;
        head?: never;
        /** Rename, change the slug or the settings (default retention, timezone) */
        patch: operations["patchOrgsByOrgId"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/deletion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Step one of deleting: a confirmation token valid for ten minutes */
        post: operations["postOrgsDeletion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's members and their roles */
        get: operations["getOrgsMembers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a member, or leave (your own user id) */
        delete: operations["deleteOrgsMembersByUserId"];
        options?: never;
        head?: never;
        /** Change a member's role */
        patch: operations["patchOrgsMembersByUserId"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's roles, built-in and custom, with their permissions */
        get: operations["getOrgsRoles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/roles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Create or replace a custom role */
        put: operations["putOrgsRolesByName"];
        post?: never;
        /** Delete a custom role */
        delete: operations["deleteOrgsRolesByName"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an invitation with its mailed token, as the invited account */
        post: operations["postInvitationsAccept"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pending invitations to the organization */
        get: operations["getOrgsInvitations"];
        put?: never;
        /** Invite someone by email; they get a single-use link */
        post: operations["postOrgsInvitations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/invitations/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a pending invitation again */
        post: operations["postOrgsInvitationsResend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Withdraw a pending invitation */
        delete: operations["deleteOrgsInvitationsById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's API keys (never their secrets) */
        get: operations["getOrgsApiKeys"];
        put?: never;
        /** An API key that acts for the organization (servers, CI); the secret is shown once */
        post: operations["postOrgsApiKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an organization API key */
        delete: operations["deleteOrgsApiKeysById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first, filtered, with cursor pagination */
        get: operations["getOrgsAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The whole filtered audit log as CSV or NDJSON, streamed */
        get: operations["getOrgsAuditExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/claim-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mint claim codes to print on devices (operators); they are shown only here */
        post: operations["postAdminClaimCodes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Claim a device by the code on its label; it then fetches its own credentials */
        post: operations["postOrgsDevicesClaim"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/claim/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The device's call: its MQTT credentials, once, after it was claimed (409 until then) */
        post: operations["postClaimCredentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List devices, filtered by tag, type, online state or name, with cursor pagination */
        get: operations["getOrgsDevices"];
        put?: never;
        /** Register a device; its MQTT password is in this answer only */
        post: operations["postOrgsDevices"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One device */
        get: operations["getOrgsDevicesById"];
        put?: never;
        post?: never;
        /** Delete a device */
        delete: operations["deleteOrgsDevicesById"];
        options?: never;
        head?: never;
        /** Rename a device, or change its type, tags, attributes or retention */
        patch: operations["patchOrgsDevicesById"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/credentials/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** New MQTT password; the old one stops working and its live connection is dropped */
        post: operations["postOrgsDevicesCredentialsRotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/credentials/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke the credentials: the device is disconnected and refused until rotated */
        post: operations["postOrgsDevicesCredentialsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register up to 1,000 devices at once, from JSON or CSV (name,type,tags with tags split by ;) */
        post: operations["postOrgsDevicesBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Connection history: when, from where, until when; newest first */
        get: operations["getOrgsDevicesConnections"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's device groups */
        get: operations["getOrgsGroups"];
        put?: never;
        /** A static group (devices added by hand) or a dynamic one (every device with all the tags) */
        post: operations["postOrgsGroups"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/groups/{groupId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a group (its devices stay) */
        delete: operations["deleteOrgsGroupsByGroupId"];
        options?: never;
        head?: never;
        /** Rename a group or change a dynamic group's tags */
        patch: operations["patchOrgsGroupsByGroupId"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/groups/{groupId}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The devices in a group */
        get: operations["getOrgsGroupsDevices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/groups/{groupId}/devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add a device to a static group */
        put: operations["putOrgsGroupsDevicesById"];
        post?: never;
        /** Take a device out of a static group */
        delete: operations["deleteOrgsGroupsDevicesById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/device-cas": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's device CAs (X.509 devices) */
        get: operations["getOrgsDeviceCas"];
        put?: never;
        /** Register the organization's CA certificate (PEM), or `generate: true` to have the platform make one */
        post: operations["postOrgsDeviceCas"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/device-cas/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One device CA and its certificate */
        get: operations["getOrgsDeviceCasById"];
        put?: never;
        post?: never;
        /** Delete a device CA; devices that authenticate with it are dropped */
        delete: operations["deleteOrgsDeviceCasById"];
        options?: never;
        head?: never;
        /** Rename, turn just-in-time registration on or off, or deactivate (its devices are dropped) */
        patch: operations["patchOrgsDeviceCasById"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/device-cas/{id}/revocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The device certificates a CA has revoked */
        get: operations["getOrgsDeviceCasRevocations"];
        put?: never;
        /** Revoke a certificate of the CA by its serial (hex): a device connected with it is dropped */
        post: operations["postOrgsDeviceCasRevocations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/device-cas/{id}/certificates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A CA the platform made signs a device certificate: for a CSR (PEM), or with a key made here (in this answer only) */
        post: operations["postOrgsDeviceCasCertificates"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/telemetry/latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest value of each metric */
        get: operations["getOrgsDevicesTelemetryLatest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/telemetry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Raw points, newest first with a cursor; or, with bucket and agg, a bucketed series */
        get: operations["getOrgsDevicesTelemetry"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/telemetry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One metric of several devices (device_ids or group_id), bucketed */
        get: operations["getOrgsTelemetry"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/telemetry/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Raw rows of several devices in a range, oldest first, streamed as CSV or NDJSON */
        get: operations["getOrgsTelemetryExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/twin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Desired and reported state, their delta and the version */
        get: operations["getOrgsDevicesTwin"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Merge into the desired state (null clears a key); with version, only if unchanged since */
        patch: operations["patchOrgsDevicesTwin"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/commands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Commands sent to a device, newest first, with their answers */
        get: operations["getOrgsDevicesCommands"];
        put?: never;
        /** Send a command: 200 with the answer, or 202 with a stored command for a device offline or slow to answer */
        post: operations["postOrgsDevicesCommands"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/{id}/commands/{commandId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One command sent to a device and its answer */
        get: operations["getOrgsDevicesCommandsByCommandId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/groups/{groupId}/commands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a command to every device of a group; each is stored and answered on the device's own command */
        post: operations["postOrgsGroupsCommands"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/grafana/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Database credentials for this organization's Grafana: they read only its own data (a new password each call) */
        post: operations["postOrgsGrafanaCredentials"];
        /** Drop the organization's Grafana database login */
        delete: operations["deleteOrgsGrafanaCredentials"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/billing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Plan, status, period, limits and usage against them, credits */
        get: operations["getOrgsBilling"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/billing/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe Checkout session for a plan */
        post: operations["postOrgsBillingCheckout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/billing/portal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe customer portal session (payment methods, invoices, cancellation) */
        post: operations["postOrgsBillingPortal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/billing/invoices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's invoices from Stripe */
        get: operations["getOrgsBillingInvoices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages, data points, bytes and API calls per UTC day; per device with by=device, API calls per user with by=user */
        get: operations["getOrgsUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/orgs/{orgId}/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the limits agreed beyond the plan (operators; audited): they replace earlier ones; null: none */
        put: operations["putAdminOrgsLimits"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing/stripe/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stripe's events, checked against the raw body's signature; answered at once, handled from a queue */
        post: operations["postBillingStripeWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What was bought: pending, paid, fulfilled, failed or refunded, with its Stripe and ledger links */
        get: operations["getOrgsOrders"];
        put?: never;
        /** Order an item of the catalog: plans and items priced in money through Stripe Checkout (the order is pending until paid), items priced in credits from the wallet at once */
        post: operations["postOrgsOrders"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/wallet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The wallet's balance of prepaid credits */
        get: operations["getOrgsWallet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/wallet/top-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Buy credits through Stripe Checkout; they arrive when the payment does */
        post: operations["postOrgsWalletTopUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/wallet/spend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Spend credits, once per idempotency key; never below zero (402) */
        post: operations["postOrgsWalletSpend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/wallet/statement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every movement of the wallet, oldest first, as JSON or CSV */
        get: operations["getOrgsWalletStatement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/orgs/{orgId}/credits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Grant credits to an organization's wallet (operators; audited in its log): with or without Stripe */
        post: operations["postAdminOrgsCredits"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What can be bought (active items, by id), filtered, in cursor pages; no sign-in */
        get: operations["getCatalog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One item, also one no longer sold (active: false); no sign-in */
        get: operations["getCatalogById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/catalog": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add an item to the catalog (operators; audited) */
        post: operations["postAdminCatalog"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/catalog/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an item; one that orders name is deactivated instead (200 with it) (operators; audited) */
        delete: operations["deleteAdminCatalogById"];
        options?: never;
        head?: never;
        /** Change an item: name, description, price, currency, what it holds, active (operators; audited) */
        patch: operations["patchAdminCatalogById"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's rules on telemetry */
        get: operations["getOrgsRules"];
        put?: never;
        /** A rule: its kind, metric and params, the devices it watches, its severity and actions */
        post: operations["postOrgsRules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/rules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One rule */
        get: operations["getOrgsRulesById"];
        put?: never;
        post?: never;
        /** Delete a rule */
        delete: operations["deleteOrgsRulesById"];
        options?: never;
        head?: never;
        /** Changes a rule; a new kind comes with its metric and params */
        patch: operations["patchOrgsRulesById"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/alarms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alarms, newest first, filtered, with cursor pagination */
        get: operations["getOrgsAlarms"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/alarms/counts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Open alarms, in all and by severity */
        get: operations["getOrgsAlarmsCounts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/alarms/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alarm */
        get: operations["getOrgsAlarmsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/alarms/{id}/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledges an open alarm: who, when, and a note */
        post: operations["postOrgsAlarmsAcknowledge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/alarms/{id}/clear": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Clears an open alarm by hand; the rule raises it again if its condition holds anew */
        post: operations["postOrgsAlarmsClear"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/analytics/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** One product event: an organization key's (scope analytics:write), or a person's for `org_id` */
        post: operations["postAnalyticsEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/analytics/events/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Up to 500 product events, all stored or none */
        post: operations["postAnalyticsEventsBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/analytics/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Product events, newest first; `cursor` is the `next_cursor` of the page before */
        get: operations["getOrgsAnalyticsEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/analytics/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events per hour or day, per event name or user, in [from, to) */
        get: operations["getOrgsAnalyticsMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/usage/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events and metered usage per UTC day, user and device, the cost (plan, metered, wallet), totals against the period before */
        get: operations["getOrgsUsageSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Tasks, newest first; `cursor` is the `next_cursor` of the page before */
        get: operations["getOrgsTasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/tasks/{taskId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task: queued, running with progress, succeeded with its result, or failed with the reason */
        get: operations["getOrgsTasksByTaskId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/tasks/{taskId}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The file a succeeded task made; 410 `task-result-expired` once its time is up */
        get: operations["getOrgsTasksResult"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/audit/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exports the filtered audit log to a file, as a task; follow it at its `tasks/{taskId}`. `to` defaults to now, `from` to the creation of the organization */
        post: operations["postOrgsAuditExports"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/devices/bulk-operations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Tags, moves, disables or deletes many devices as a task, in batches; a device refused is listed in the result (`failures`), the others are changed. Follow it at its `tasks/{taskId}` */
        post: operations["postOrgsDevicesBulkOperations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/telemetry/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exports raw rows of several devices to a file, as a task; follow it at its `tasks/{taskId}` */
        post: operations["postOrgsTelemetryExports"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events, newest first; `cursor` is the `next_cursor` of the page before */
        get: operations["getOrgsEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/events/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events as they are published (server-sent events, `id:` the event id); with Last-Event-ID, first those after it */
        get: operations["getOrgsEventsStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's webhook endpoints */
        get: operations["getOrgsWebhooks"];
        put?: never;
        /** An endpoint for events; its signing secret is in this answer only */
        post: operations["postOrgsWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook endpoint */
        get: operations["getOrgsWebhooksById"];
        put?: never;
        post?: never;
        /** Delete a webhook endpoint */
        delete: operations["deleteOrgsWebhooksById"];
        options?: never;
        head?: never;
        /** Changes an endpoint; enabling a disabled one clears its failures */
        patch: operations["patchOrgsWebhooksById"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The delivery log, newest first, with cursor pagination */
        get: operations["getOrgsWebhooksDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sends a delivery again, now */
        post: operations["postOrgsWebhooksDeliveriesRedeliver"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Notifications, newest first; `cursor` is the `next_cursor` of the page before */
        get: operations["getMeNotifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/notifications/unread-count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many of your notifications are unread */
        get: operations["getMeNotificationsUnreadCount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/notifications/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** New notifications as server-sent events (`event: notification`), from the moment of connecting */
        get: operations["getMeNotificationsStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/notifications/read-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark all your notifications read */
        post: operations["postMeNotificationsReadAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/notifications/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one notification read */
        post: operations["postMeNotificationsRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/notification-routes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's notification routes: which events reach whom, and how */
        get: operations["getOrgsNotificationRoutes"];
        put?: never;
        /** Add a notification route */
        post: operations["postOrgsNotificationRoutes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/notification-routes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One notification route */
        get: operations["getOrgsNotificationRoutesById"];
        put?: never;
        post?: never;
        /** Delete a notification route */
        delete: operations["deleteOrgsNotificationRoutesById"];
        options?: never;
        head?: never;
        /** Change a notification route */
        patch: operations["patchOrgsNotificationRoutesById"];
        trace?: never;
    };
    "/v1/orgs/{orgId}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List files in path order, those under `prefix` only if given; cursor pages */
        get: operations["getOrgsFiles"];
        /** Upload a file to `path`, replacing one there; the body is streamed (FILES_MAX_BYTES at most) */
        put: operations["putOrgsFiles"];
        /** Upload a new file to `path` (409 when one is there); the body is streamed */
        post: operations["postOrgsFiles"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Bytes and files kept, against the quota */
        get: operations["getOrgsFilesUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/upload-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A signed URL that takes one upload (PUT, raw body) to `path` without credentials, until it expires */
        post: operations["postOrgsFilesUploadUrl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Begin a multipart upload to `path`: PUT parts 1, 2, 3, ..., then complete (or DELETE to abort) */
        post: operations["postOrgsFilesUploads"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/uploads/{uploadId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A multipart upload: its parts and the bytes received so far */
        get: operations["getOrgsFilesUploadsByUploadId"];
        put?: never;
        post?: never;
        /** Abort a multipart upload: its parts are deleted */
        delete: operations["deleteOrgsFilesUploadsByUploadId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/uploads/{uploadId}/parts/{number}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload part `number` (1-10000) as the raw body; answers the bytes received so far */
        put: operations["putOrgsFilesUploadsPartsByNumber"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/uploads/{uploadId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join the parts in order into the file, replacing one at its path */
        post: operations["postOrgsFilesUploadsComplete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file's metadata */
        get: operations["getOrgsFilesById"];
        put?: never;
        post?: never;
        /** Delete a file */
        delete: operations["deleteOrgsFilesById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file's bytes, with Range (206; 416 outside the file); attachment unless an image, nosniff */
        get: operations["getOrgsFilesContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/files/{id}/download-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A signed URL that downloads the file without credentials (Range too), until it expires */
        post: operations["postOrgsFilesDownloadUrl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List files in path order, those under `prefix` only if given; cursor pages */
        get: operations["getMeFiles"];
        /** Upload a file to `path`, replacing one there; the body is streamed (FILES_MAX_BYTES at most) */
        put: operations["putMeFiles"];
        /** Upload a new file to `path` (409 when one is there); the body is streamed */
        post: operations["postMeFiles"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Bytes and files kept, against the quota */
        get: operations["getMeFilesUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/upload-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A signed URL that takes one upload (PUT, raw body) to `path` without credentials, until it expires */
        post: operations["postMeFilesUploadUrl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Begin a multipart upload to `path`: PUT parts 1, 2, 3, ..., then complete (or DELETE to abort) */
        post: operations["postMeFilesUploads"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/uploads/{uploadId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A multipart upload: its parts and the bytes received so far */
        get: operations["getMeFilesUploadsByUploadId"];
        put?: never;
        post?: never;
        /** Abort a multipart upload: its parts are deleted */
        delete: operations["deleteMeFilesUploadsByUploadId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/uploads/{uploadId}/parts/{number}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload part `number` (1-10000) as the raw body; answers the bytes received so far */
        put: operations["putMeFilesUploadsPartsByNumber"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/uploads/{uploadId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join the parts in order into the file, replacing one at its path */
        post: operations["postMeFilesUploadsComplete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file's metadata */
        get: operations["getMeFilesById"];
        put?: never;
        post?: never;
        /** Delete a file */
        delete: operations["deleteMeFilesById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file's bytes, with Range (206; 416 outside the file); attachment unless an image, nosniff */
        get: operations["getMeFilesContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/files/{id}/download-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A signed URL that downloads the file without credentials (Range too), until it expires */
        post: operations["postMeFilesDownloadUrl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a file through a signed URL; Range supported */
        get: operations["getFilesDownload"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/upload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload the file a signed URL names (its path and owner), as the raw body */
        put: operations["putFilesUpload"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's firmware signing keys */
        get: operations["getOrgsOtaKeys"];
        put?: never;
        /** Trust a firmware signing key (the .pub file from firmware-tools keygen) */
        post: operations["postOrgsOtaKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Stop trusting a key: releases signed with it can no longer be created */
        delete: operations["deleteOrgsOtaKeysByKeyId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/releases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Releases, newest first; page with `before` = the last created_at */
        get: operations["getOrgsOtaReleases"];
        put?: never;
        /** Register a release from its signed manifest; upload the artifact next */
        post: operations["postOrgsOtaReleases"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/releases/{id}/artifact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Upload the artifact's bytes; refused unless size and SHA-256 match the signed manifest
         * @description With `Content-Range: bytes start-end/total`, a part of the bytes from `start` (what `.../uploads/{part}` says was received): a part short of the end answers 202 with the bytes held.
         */
        put: operations["putOrgsOtaReleasesArtifact"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/releases/{id}/delta": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Upload the delta the signed manifest names (firmware-tools pack --delta-from); refused unless its size and SHA-256 match
         * @description With `Content-Range: bytes start-end/total`, a part of the bytes from `start` (what `.../uploads/{part}` says was received): a part short of the end answers 202 with the bytes held.
         */
        put: operations["putOrgsOtaReleasesDelta"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/releases/{id}/uploads/{part}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many bytes of a cut upload were kept: send the rest with Content-Range from `received` */
        get: operations["getOrgsOtaReleasesUploadsByPart"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/releases/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One firmware release */
        get: operations["getOrgsOtaReleasesById"];
        put?: never;
        post?: never;
        /** Delete a release no rollout uses */
        delete: operations["deleteOrgsOtaReleasesById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's rollouts, newest first */
        get: operations["getOrgsOtaRollouts"];
        put?: never;
        /**
         * Send a release to devices, a group or a tag filter, in phases; with dry_run=true, which devices each phase would reach and which are left out and why, creating nothing
         * @description A rollout that would install the release on no device is refused: 400 `rollout-matches-no-device`, with `excluded_counts`.
         */
        post: operations["postOrgsOtaRollouts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A rollout with its counts by state */
        get: operations["getOrgsOtaRolloutsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts/{id}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each device's job: state, progress, error; page with `after` = the last device_id */
        get: operations["getOrgsOtaRolloutsDevices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rollout and device job changes as they happen (server-sent events, `id:` the event id); with Last-Event-ID, first those after it */
        get: operations["getOrgsOtaEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop starting updates; running ones finish */
        post: operations["postOrgsOtaRolloutsPause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Go on with a paused rollout */
        post: operations["postOrgsOtaRolloutsResume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts/{id}/advance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start the next phase now */
        post: operations["postOrgsOtaRolloutsAdvance"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs/{orgId}/ota/rollouts/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop for good; unfinished jobs are cancelled */
        post: operations["postOrgsOtaRolloutsAbort"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ota/download/{releaseId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download an artifact (the URL comes signed in a device job); Range supported */
        get: operations["getOtaDownloadByReleaseId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ota/download/{releaseId}/delta": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a release's delta from its base version (the job's delta_url); Range supported */
        get: operations["getOtaDownloadDelta"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description Problem details (RFC 9457), sent as `application/problem+json`; some types add members of their own
         * @example {
         *       "type": "https://iot-platform.dev/problems/not-found",
         *       "title": "Not found",
         *       "status": 404,
         *       "detail": "No such device",
         *       "instance": "4f0c1a9e-2b7d-4e61-8a53-6d2c9f1e0b7a"
         *     }
         */
        Problem: {
            /**
             * Format: uri
             * @description What went wrong, as a stable URI: `https://iot-platform.dev/problems/` and a slug
             */
            type: string;
            /** @description A short, human-readable summary of the problem type */
            title: string;
            /** @description The HTTP status code */
            status: number;
            /** @description What went wrong this time, and what to do about it */
            detail?: string;
            /** @description The request id (`x-request-id`), to quote in a report */
            instance?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description As on MQTT `devices/{id}/telemetry`: an object of metric values with an optional `ts`, an array of them, or SenML JSON (RFC 8428)
         * @example {
         *       "ts": "2026-11-23T10:00:00Z",
         *       "temperature": 21.5,
         *       "door_open": false,
         *       "mode": "eco"
         *     }
         */
        DeviceTelemetry: ({
            /** @description ISO 8601 or epoch ms */
            ts?: string | number;
        } & {
            [key: string]: number | boolean | string;
        }) | ({
            /** @description ISO 8601 or epoch ms */
            ts?: string | number;
        } & {
            [key: string]: number | boolean | string;
        })[] | {
            bn?: string;
            bt?: number;
            n?: string;
            t?: number;
            v?: number;
            vb?: boolean;
            vs?: string;
        }[];
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        Readiness: {
            /** @enum {string} */
            status: "ready" | "not_ready";
            checks: {
                [key: string]: {
                    ok: boolean;
                    error?: string;
                };
            };
        };
        User: {
            /** Format: uuid */
            id: string;
            email: string;
            name: string | null;
            email_verified: boolean;
            mfa_enabled: boolean;
            profile: {
                [key: string]: string | null;
            };
            avatar_url: string | null;
            disabled: boolean;
            created_at: string;
        };
        TokenPair: {
            access_token: string;
            refresh_token: string;
            /** @enum {string} */
            token_type: "Bearer";
            expires_in: number;
        };
        CookieTokens: {
            access_token: string;
            /** @enum {string} */
            token_type: "Bearer";
            expires_in: number;
        };
        MfaChallenge: {
            /** @enum {boolean} */
            mfa_required: true;
            mfa_token: string;
        };
        Preferences: {
            language?: string;
            timezone?: string;
            /** @enum {string} */
            theme?: "light" | "dark" | "system";
            date_format?: string;
            /** @enum {string} */
            time_format?: "12h" | "24h";
            notification_channels?: ("email" | "sms" | "push" | "webhook")[];
            /** @description Kinds of notification kept to the inbox (not mailed), e.g. ["rule.fired"] */
            notification_mute?: ("alarm.raised" | "rule.fired" | "webhook.disabled" | "payment.failed")[];
        };
        Session: {
            /** Format: uuid */
            id: string;
            user_agent: string | null;
            address: string | null;
            created_at: string;
            last_used_at: string;
            current: boolean;
        };
        ApiKey: {
            /** Format: uuid */
            id: string;
            name: string;
            prefix: string;
            scopes: string[];
            expires_at: string | null;
            last_used_at: string | null;
            created_at: string;
        };
        /**
         * @example {
         *       "name": "Ada Lovelace",
         *       "email": "ada@example.com",
         *       "email_verified": true
         *     }
         */
        AdminUserPatch: {
            name?: string | null;
            /** Format: email */
            email?: string;
            email_verified?: boolean;
            disabled?: boolean;
        };
        /**
         * @example {
         *       "status": "scheduled",
         *       "purge_after": "2026-12-20T10:00:00.000Z"
         *     }
         */
        DeletionScheduled: {
            /** @enum {string} */
            status: "scheduled";
            purge_after: string;
        };
        /**
         * @example {
         *       "password": "correct horse battery",
         *       "code": "123456"
         *     }
         */
        DeletionRequest: {
            /** @example correct horse battery */
            password: string;
            /**
             * @description A TOTP code or a recovery code; required when MFA is on
             * @example 123456
             */
            code?: string;
        };
        /**
         * @example {
         *       "email": "ada@example.com",
         *       "password": "correct horse battery"
         *     }
         */
        DeletionCancel: {
            /**
             * Format: email
             * @example ada@example.com
             */
            email: string;
            /** @example correct horse battery */
            password: string;
            /**
             * @description A TOTP code or a recovery code; required when MFA is on
             * @example 123456
             */
            code?: string;
        };
        /**
         * @example {
         *       "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
         *       "name": "Ada Lovelace",
         *       "email": "ada@example.com",
         *       "avatar_url": "/v1/users/0f8fad5b-d9cb-469f-a165-70867728950e/avatar"
         *     }
         */
        UserSummary: {
            /** Format: uuid */
            id: string;
            name: string | null;
            email: string;
            avatar_url: string | null;
        };
        Organization: {
            /** Format: uuid */
            id: string;
            name: string;
            slug: string | null;
            settings: {
                [key: string]: unknown;
            };
            created_at: string;
            role: string | null;
        };
        Invitation: {
            /** Format: uuid */
            id: string;
            email: string;
            role: string;
            expires_at: string;
            created_at: string;
        };
        AuditEntry: {
            id: string;
            at: string;
            actor_type: string;
            actor_id: string | null;
            action: string;
            target_type: string | null;
            target_id: string | null;
            /** @enum {string} */
            result: "success" | "failure";
            status: number | null;
            address: string | null;
            user_agent: string | null;
            request_id: string | null;
            /**
             * @description What changed, as { field: { before, after } }, where the route tells it
             * @example {
             *       "role": {
             *         "before": "viewer",
             *         "after": "operator"
             *       }
             *     }
             */
            detail: {
                [key: string]: unknown;
            } | null;
        };
        MqttCredentials: {
            host: string;
            port: number;
            client_id: string;
            username: string;
            password: string;
        };
        Device: {
            /** Format: uuid */
            id: string;
            name: string;
            type: string | null;
            tags: string[];
            attributes: {
                [key: string]: unknown;
            };
            online: boolean;
            last_seen: string | null;
            last_address: string | null;
            firmware_version: string | null;
            retention_days: number | null;
            credentials_revoked: boolean;
            created_at: string;
        };
        DeviceGroup: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @enum {string} */
            kind: "static" | "dynamic";
            tags: string[];
            created_at: string;
        };
        DeviceCa: {
            /** Format: uuid */
            id: string;
            name: string;
            certificate_pem: string;
            fingerprint_sha256: string;
            subject: string;
            not_after: string;
            auto_register: boolean;
            active: boolean;
            platform_key: boolean;
            created_at: string;
        };
        RevokedCertificate: {
            serial: string;
            revoked_at: string;
        };
        DeviceCertificate: {
            device_id: string;
            serial: string;
            certificate_pem: string;
            ca_certificate_pem: string;
            private_key_pem?: string;
        };
        DeviceTelemetrySeries: {
            /**
             * @description What served the query
             * @enum {string}
             */
            source: "raw" | "telemetry_1m" | "telemetry_1h";
            bucket: string;
            agg: string;
            data: {
                ts: string;
                value: number | null;
            }[];
        };
        TelemetrySeries: {
            /**
             * @description What served the query
             * @enum {string}
             */
            source: "raw" | "telemetry_1m" | "telemetry_1h";
            bucket: string;
            agg: string;
            data: {
                device_id: string;
                ts: string;
                value: number | null;
            }[];
        };
        Twin: {
            desired: {
                [key: string]: unknown;
            };
            reported: {
                [key: string]: unknown;
            };
            delta: {
                [key: string]: unknown;
            };
            version: number;
            desired_at: string | null;
            reported_at: string | null;
        };
        Command: {
            /** Format: uuid */
            id: string;
            name: string;
            params?: unknown;
            /** @enum {string} */
            status: "pending" | "delivered" | "succeeded" | "failed" | "expired";
            result?: unknown;
            created_at: string;
            expires_at: string;
            completed_at: string | null;
        };
        Order: {
            id: string;
            /** @enum {string} */
            kind: "plan" | "credits" | "licenses";
            item: string;
            item_id: string | null;
            quantity: number;
            /** @enum {string} */
            status: "pending" | "paid" | "fulfilled" | "failed" | "refunded";
            stripe_checkout_id: string | null;
            ledger_transaction_id: string | null;
            created_at: string;
            updated_at: string;
            /** @description Where to pay, for an order paid through Stripe Checkout */
            checkout?: {
                id: string;
                url: string | null;
            };
        };
        /**
         * @example {
         *       "id": "plan-pro",
         *       "kind": "plan",
         *       "name": "Pro",
         *       "description": "1,000 devices, 90 days of raw data, monthly",
         *       "price": 4900,
         *       "currency": "usd",
         *       "active": true,
         *       "plan": "pro",
         *       "limits": {
         *         "devices": 1000,
         *         "messages_per_day": 20000000,
         *         "data_points_per_day": 100000000,
         *         "retention_days": 90,
         *         "rollouts_per_month": 50,
         *         "seats": 25,
         *         "files_bytes": 107374182400,
         *         "files_count": 100000
         *       },
         *       "credits": null,
         *       "devices": null,
         *       "created_at": "2026-12-01T00:00:00.000Z",
         *       "updated_at": "2026-12-01T00:00:00.000Z"
         *     }
         */
        CatalogItem: {
            /** @example plan-pro */
            id: string;
            /** @enum {string} */
            kind: "plan" | "credit_pack" | "device_license";
            name: string;
            description: string;
            price: number;
            currency: string;
            active: boolean;
            plan: string | null;
            /** @description For plans: the limits billing enforces (null: none) */
            limits: {
                devices: number | null;
                messages_per_day: number | null;
                data_points_per_day: number | null;
                retention_days: number;
                rollouts_per_month: number | null;
                seats: number | null;
                files_bytes?: number | null;
                files_count?: number | null;
            } | null;
            /** @description For credit packs: credits in one pack */
            credits: number | null;
            /** @description For device licenses: devices one license adds */
            devices: number | null;
            created_at: string;
            updated_at: string;
        };
        Rule: {
            /** Format: uuid */
            id: string;
            name: string;
            enabled: boolean;
            /** @enum {string} */
            kind: "threshold" | "range" | "rate" | "absence" | "offline";
            metric: string | null;
            params: {
                [key: string]: unknown;
            };
            target: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            severity: "info" | "warning" | "minor" | "major" | "critical";
            actions: {
                [key: string]: unknown;
            }[];
            created_at: string;
            updated_at: string;
        };
        RuleInput: {
            name: string;
            /** @default true */
            enabled: boolean;
            target: {
                device_ids: string[];
            } | {
                /** Format: uuid */
                group_id: string;
            } | {
                tags: string[];
            };
            /**
             * @default warning
             * @enum {string}
             */
            severity: "info" | "warning" | "minor" | "major" | "critical";
            /**
             * @default [
             *       {
             *         "type": "alarm"
             *       }
             *     ]
             */
            actions: ({
                /** @enum {string} */
                type: "alarm";
            } | {
                /** @enum {string} */
                type: "command";
                name: string;
                params?: unknown;
            } | {
                /** @enum {string} */
                type: "notify";
            } | {
                /** @enum {string} */
                type: "webhook";
            })[];
        } & ({
            /** @enum {string} */
            kind: "threshold";
            metric: string;
            params: {
                /** @enum {string} */
                op: "gt" | "gte" | "lt" | "lte";
                value: number;
                /** @default 0 */
                for_s: number;
            };
        } | {
            /** @enum {string} */
            kind: "range";
            metric: string;
            params: {
                low: number;
                high: number;
                /** @default 0 */
                for_s: number;
            };
        } | {
            /** @enum {string} */
            kind: "rate";
            metric: string;
            params: {
                max_per_s: number;
            };
        } | {
            /** @enum {string} */
            kind: "absence";
            metric: string;
            params: {
                period_s: number;
            };
        } | {
            /** @enum {string} */
            kind: "offline";
            params: {
                period_s: number;
            };
        });
        Alarm: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            rule_id: string;
            /** Format: uuid */
            device_id: string;
            /** @enum {string} */
            severity: "info" | "warning" | "minor" | "major" | "critical";
            /** @enum {string} */
            state: "open" | "cleared";
            detail: {
                [key: string]: unknown;
            };
            raised_at: string;
            acknowledged_at: string | null;
            acknowledged_by: string | null;
            acknowledge_note: string | null;
            cleared_at: string | null;
            cleared_by: string | null;
            clear_note: string | null;
        };
        /**
         * @example {
         *       "accepted": 2
         *     }
         */
        AnalyticsAccepted: {
            accepted: number;
        };
        /**
         * @example {
         *       "events": [
         *         {
         *           "name": "signup.started"
         *         },
         *         {
         *           "name": "signup.done",
         *           "properties": {
         *             "method": "email"
         *           }
         *         }
         *       ]
         *     }
         */
        AnalyticsEventBatch: {
            /** Format: uuid */
            org_id?: string;
            events: components["schemas"]["AnalyticsEventInput"][];
        };
        /**
         * @example {
         *       "name": "dashboard.opened",
         *       "properties": {
         *         "dashboard": "fleet",
         *         "plan": "pro"
         *       },
         *       "session_id": "s-42",
         *       "time": "2026-12-01T10:00:00Z"
         *     }
         */
        AnalyticsEventInput: {
            name: string;
            /** @default {} */
            properties: {
                [key: string]: unknown;
            };
            user?: string;
            session_id?: string;
            /** Format: date-time */
            time?: string;
        };
        /**
         * @example {
         *       "id": "0b6f7c1e-5a4e-4c7a-9d55-6f3f1b2c9e10",
         *       "name": "dashboard.opened",
         *       "user": "7d1c3f9a-2b8e-4f0d-a6c5-1e9b8d7a6c54",
         *       "session_id": "s-42",
         *       "properties": {
         *         "dashboard": "fleet"
         *       },
         *       "time": "2026-12-01T10:00:00.000Z",
         *       "received_at": "2026-12-01T10:00:00.120Z"
         *     }
         */
        AnalyticsEvent: {
            id: string;
            name: string;
            user: string | null;
            session_id: string | null;
            properties: {
                [key: string]: unknown;
            };
            time: string;
            received_at: string;
        };
        /**
         * @example {
         *       "bucket": "2026-12-01T10:00:00.000Z",
         *       "key": "dashboard.opened",
         *       "count": 12
         *     }
         */
        AnalyticsCount: {
            bucket: string;
            key: string;
            count: number;
        };
        /**
         * @example {
         *       "from": "2026-11-01",
         *       "to": "2026-11-30",
         *       "days": [
         *         {
         *           "day": "2026-11-01",
         *           "events": 120,
         *           "api_calls": 340,
         *           "messages": 5000,
         *           "data_points": 20000
         *         }
         *       ],
         *       "users": [
         *         {
         *           "user_id": "7d1c3f9a-2b8e-4f0d-a6c5-1e9b8d7a6c54",
         *           "events": 120,
         *           "api_calls": 340
         *         }
         *       ],
         *       "devices": [
         *         {
         *           "device_id": "0b6f7c1e-5a4e-4c7a-9d55-6f3f1b2c9e10",
         *           "messages": 5000,
         *           "data_points": 20000,
         *           "bytes": 180000
         *         }
         *       ],
         *       "cost": {
         *         "plan": {
         *           "name": "pro",
         *           "status": "active",
         *           "price": 4900,
         *           "currency": "usd"
         *         },
         *         "metered_credits": 2,
         *         "wallet_spend": [
         *           {
         *             "kind": "overage",
         *             "credits": 2
         *           }
         *         ]
         *       },
         *       "dashboard": {
         *         "current": {
         *           "events": 120,
         *           "api_calls": 340,
         *           "messages": 5000,
         *           "data_points": 20000,
         *           "wallet_spend_credits": 2
         *         },
         *         "previous": {
         *           "from": "2026-10-02",
         *           "to": "2026-10-31",
         *           "events": 90,
         *           "api_calls": 300,
         *           "messages": 4000,
         *           "data_points": 16000,
         *           "wallet_spend_credits": 0
         *         }
         *       }
         *     }
         */
        UsageSummary: {
            from: string;
            to: string;
            days: {
                day: string;
                events: number;
                api_calls: number;
                messages: number;
                data_points: number;
            }[];
            users: {
                user_id: string | null;
                events: number;
                api_calls: number;
            }[];
            devices: {
                device_id: string;
                messages: number;
                data_points: number;
                bytes: number;
            }[];
            cost: {
                plan: {
                    name: string;
                    status: string;
                    price: number;
                    currency: string;
                };
                metered_credits: number;
                wallet_spend: {
                    kind: string;
                    credits: number;
                }[];
            };
            dashboard: {
                current: {
                    events: number;
                    api_calls: number;
                    messages: number;
                    data_points: number;
                    wallet_spend_credits: number;
                };
                previous: {
                    events: number;
                    api_calls: number;
                    messages: number;
                    data_points: number;
                    wallet_spend_credits: number;
                    from: string;
                    to: string;
                };
            };
        };
        Task: {
            id: string;
            kind: string;
            /** @enum {string} */
            status: "queued" | "running" | "succeeded" | "failed";
            /** @description 0 to 100 */
            progress: number;
            input: {
                [key: string]: unknown;
            };
            /** @description Once succeeded; `url` downloads the file a task made until `expires_at`, after which the file is deleted, `expired_at` is set and `url` answers 410 */
            result: {
                [key: string]: unknown;
            } | null;
            /** @description Why the last attempt failed */
            error: string | null;
            attempts: number;
            created_by: string | null;
            created_at: string;
            started_at: string | null;
            finished_at: string | null;
        };
        Event: {
            id: number;
            /** @enum {string} */
            type: "device.created" | "device.deleted" | "device.credentials_rotated" | "device.updated" | "device.connected" | "device.disconnected" | "group.updated" | "group.deleted" | "group.device_added" | "group.device_removed" | "rule.created" | "rule.updated" | "rule.deleted" | "rule.fired" | "alarm.raised" | "alarm.acknowledged" | "alarm.cleared" | "ota.job.changed" | "ota.rollout.changed" | "member.joined" | "invoice.paid";
            subject_type: string | null;
            subject_id: string | null;
            data: {
                [key: string]: unknown;
            };
            created_at: string;
        };
        WebhookEndpoint: {
            /** Format: uuid */
            id: string;
            url: string;
            event_types: string[];
            enabled: boolean;
            disabled_reason: string | null;
            consecutive_failures: number;
            created_at: string;
        };
        WebhookDelivery: {
            /** Format: uuid */
            id: string;
            event_id: number;
            event_type: string;
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed";
            attempts: number;
            next_attempt_at: string | null;
            response_status: number | null;
            response_ms: number | null;
            error: string | null;
            created_at: string;
            delivered_at: string | null;
        };
        Notification: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            org_id: string | null;
            kind: string;
            /** @enum {string|null} */
            severity: "info" | "warning" | "minor" | "major" | "critical" | null;
            title: string;
            body: string | null;
            link: string | null;
            data: {
                [key: string]: unknown;
            };
            created_at: string;
            read_at: string | null;
        };
        NotificationRoute: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            min_severity: "info" | "warning" | "minor" | "major" | "critical";
            roles: string[];
            channels: string[];
            created_at: string;
        };
        /**
         * @example {
         *       "id": "3f0c7f5e-2b8a-4c1d-9e2f-6a7b8c9d0e1f",
         *       "path": "reports/2026/june.pdf",
         *       "name": "june.pdf",
         *       "size": 48213,
         *       "content_type": "application/pdf",
         *       "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         *       "created_at": "2026-06-30T12:00:00.000Z",
         *       "created_by": "0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c"
         *     }
         */
        File: {
            id: string;
            path: string;
            /** @description The last segment of the path */
            name: string;
            size: number;
            /** @description Sniffed from the bytes; the declared type is not trusted */
            content_type: string;
            sha256: string;
            created_at: string;
            /** @description Who uploaded it; null for an API key of the org */
            created_by: string | null;
        };
        /**
         * @example {
         *       "bytes": 104857600,
         *       "count": 42
         *     }
         */
        FileUsage: {
            bytes: number;
            count: number;
        };
        /**
         * @example {
         *       "url": "https://iot.example.com/v1/files/download?token=eyJ...",
         *       "expires_at": "2026-06-30T12:15:00.000Z"
         *     }
         */
        SignedFileUrl: {
            url: string;
            expires_at: string;
        };
        /**
         * @example {
         *       "id": "3f0c7f5e-2b8a-4c1d-9e2f-6a7b8c9d0e1f",
         *       "path": "backups/db.tar.gz",
         *       "parts": [
         *         {
         *           "number": 1,
         *           "size": 8388608
         *         },
         *         {
         *           "number": 2,
         *           "size": 8388608
         *         }
         *       ],
         *       "received": 16777216,
         *       "created_at": "2026-06-30T12:00:00.000Z"
         *     }
         */
        FileUpload: {
            id: string;
            path: string;
            parts: {
                number: number;
                size: number;
            }[];
            /** @description Bytes received so far, over every part */
            received: number;
            created_at: string;
        };
        FirmwareKey: {
            key_id: string;
            name: string;
            public_key: string;
            created_at: string;
            revoked_at: string | null;
        };
        Release: {
            /** Format: uuid */
            id: string;
            name: string;
            version: string;
            hardware: string[];
            size: number;
            sha256: string;
            key_id: string;
            /** @enum {string} */
            status: "awaiting_upload" | "ready";
            /** @description the signed manifest's delta: devices on base_version get it once uploaded */
            delta: {
                base_version: string;
                size: number;
                uploaded: boolean;
            } | null;
            manifest: {
                [key: string]: unknown;
            };
            created_at: string;
        };
        /**
         * @example {
         *       "dry_run": true,
         *       "rollout_id": "0b8e5f0e-5d1c-4a36-9a8e-2f1f0c6a7d31",
         *       "release": {
         *         "id": "5b0c2a9e-8f7d-4e61-a1c2-3d4e5f607182",
         *         "name": "app",
         *         "version": "1.4.2",
         *         "hardware": [
         *           "generic",
         *           "pi4"
         *         ]
         *       },
         *       "would_refuse": null,
         *       "target_devices": 3,
         *       "updates": 1,
         *       "offline": 0,
         *       "window_open": true,
         *       "excluded_counts": {
         *         "hardware": 1,
         *         "disabled": 0,
         *         "already_on_version": 1,
         *         "in_another_rollout": 0
         *       },
         *       "phases": [
         *         {
         *           "phase": 1,
         *           "percent": 100,
         *           "devices": [
         *             {
         *               "device_id": "7d1e0c4a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
         *               "name": "gw-1",
         *               "hardware": "pi4",
         *               "online": true,
         *               "firmware_version": "1.4.1"
         *             }
         *           ]
         *         }
         *       ],
         *       "excluded": [
         *         {
         *           "device_id": "9a4f3b2c-1d0e-4f5a-8b7c-6d5e4f3a2b1c",
         *           "name": "sensor-7",
         *           "hardware": "esp32",
         *           "online": true,
         *           "firmware_version": "0.9.0",
         *           "reason": "hardware",
         *           "detail": "the device is esp32; the release runs on generic, pi4"
         *         },
         *         {
         *           "device_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
         *           "name": "gw-2",
         *           "hardware": "pi4",
         *           "online": false,
         *           "firmware_version": "1.4.2",
         *           "reason": "already_on_version",
         *           "detail": "runs 1.4.2",
         *           "phase": 1
         *         }
         *       ]
         *     }
         */
        RolloutDryRun: {
            /** @enum {boolean} */
            dry_run: true;
            /**
             * Format: uuid
             * @description create the rollout with this `id` to get these phases
             */
            rollout_id: string;
            release: {
                /** Format: uuid */
                id: string;
                name: string;
                version: string;
                hardware: string[];
            };
            /** @description why creating it would be refused (`rollout-matches-no-device`), or null */
            would_refuse: string | null;
            target_devices: number;
            /** @description devices the phases would update */
            updates: number;
            /** @description of those, offline now: each gets its job when it connects */
            offline: number;
            /** @description false: outside the window, no update starts until it opens */
            window_open: boolean;
            excluded_counts: {
                hardware?: number;
                disabled?: number;
                already_on_version?: number;
                in_another_rollout?: number;
            };
            phases: {
                phase: number;
                percent: number;
                devices: {
                    /** Format: uuid */
                    device_id: string;
                    name: string;
                    /** @description the board the device's agent reports, else its type */
                    hardware: string | null;
                    online: boolean;
                    firmware_version: string | null;
                }[];
            }[];
            excluded: {
                /** Format: uuid */
                device_id: string;
                name: string;
                /** @description the board the device's agent reports, else its type */
                hardware: string | null;
                online: boolean;
                firmware_version: string | null;
                /** @enum {string} */
                reason: "hardware" | "disabled" | "already_on_version" | "in_another_rollout";
                detail: string;
                /** @description the phase whose reach takes the device in */
                phase?: number;
            }[];
        };
        Rollout: {
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: uuid */
            release_id: string;
            target: {
                [key: string]: unknown;
            };
            phases: {
                percent: number;
                /** @default 0 */
                wait_s: number;
                /**
                 * @default auto
                 * @enum {string}
                 */
                advance: "auto" | "manual";
                /** @default 1 */
                success_threshold: number;
                /** @default 0.2 */
                failure_threshold: number;
            }[];
            current_phase: number;
            /** @enum {string} */
            status: "active" | "paused" | "aborted" | "completed";
            status_reason: string | null;
            /** @enum {string} */
            on_failure: "pause" | "abort";
            max_concurrent: number;
            window: {
                start: string;
                end: string;
            } | null;
            progress_timeout_s: number;
            counts: {
                [key: string]: number;
            };
            created_at: string;
            updated_at: string;
        };
        OtaJob: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            device_id: string;
            phase: number;
            /** @enum {string} */
            state: "pending" | "downloading" | "downloaded" | "verifying" | "installing" | "rebooting" | "succeeded" | "failed" | "rolled_back" | "cancelled";
            progress: number;
            error: string | null;
            delivered_at: string | null;
            updated_at: string;
        };
    };
    responses: {
        /** @description The request is not valid (`invalid-request`, or a more precise type) */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No valid credentials were sent (`unauthorized`) */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The plan does not allow this (`plan-limit`) */
        PaymentRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The credentials may not do this (`forbidden`) */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such resource, or not yours to see (`not-found`) */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request conflicts with the current state (`conflict`, or a more precise type) */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The resource was there once and is gone for good (`gone`) */
        Gone: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is past its limit (`payload-too-large`) */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is of a media type the route does not take (`unsupported-media-type`) */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too many requests; `Retry-After` says when to try again (`rate-limited`) */
        TooManyRequests: {
            headers: {
                /** @description Seconds to wait */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Not possible now; may work soon (`unavailable`, or a more precise type) */
        ServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    getReadyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description A dependency is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    postDevicesTelemetry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "ts": "2026-11-23T10:00:00Z",
                 *       "temperature": 21.5,
                 *       "door_open": false,
                 *       "mode": "eco"
                 *     }
                 */
                "application/json": components["schemas"]["DeviceTelemetry"];
                /**
                 * @example {
                 *       "ts": "2026-11-23T10:00:00Z",
                 *       "temperature": 21.5,
                 *       "door_open": false,
                 *       "mode": "eco"
                 *     }
                 */
                "application/senml+json": components["schemas"]["DeviceTelemetry"];
            };
        };
        responses: {
            /** @description Stored */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example 3 */
                        readings: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postAuthSignup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "ada@example.com",
                 *       "password": "sensor-1"
                 *     }
                 */
                "application/json": {
                    /** Format: email */
                    email: string;
                    password: string;
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Created; a verification mail is sent */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "ada@example.com",
                 *       "password": "sensor-1"
                 *     }
                 */
                "application/json": {
                    /** Format: email */
                    email: string;
                    password: string;
                    /** @description true: the refresh token is set as the httpOnly cookie `iotp_refresh` (path /v1/auth/refresh) instead of answered; send the header `x-iotp-csrf: 1` */
                    refresh_cookie?: boolean;
                };
            };
        };
        responses: {
            /** @description Tokens, or an MFA challenge */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"] | components["schemas"]["CookieTokens"] | components["schemas"]["MfaChallenge"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthMfa: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "mfa_token": "sensor-1",
                 *       "code": "sensor-1"
                 *     }
                 */
                "application/json": {
                    mfa_token: string;
                    code: string;
                    /** @description true: the refresh token is set as the httpOnly cookie `iotp_refresh` (path /v1/auth/refresh) instead of answered; send the header `x-iotp-csrf: 1` */
                    refresh_cookie?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"] | components["schemas"]["CookieTokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthRefresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "refresh_token": "sensor-1"
                 *     }
                 */
                "application/json": {
                    refresh_token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"] | components["schemas"]["CookieTokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    postAuthLogoutAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out everywhere */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    postAuthVerifyEmailRequest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthVerifyEmail: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "sensor-1"
                 *     }
                 */
                "application/json": {
                    token: string;
                };
            };
        };
        responses: {
            /** @description Verified */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
        };
    };
    postAuthPasswordResetRequest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "ada@example.com"
                 *     }
                 */
                "application/json": {
                    /** Format: email */
                    email: string;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthPasswordReset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "sensor-1",
                 *       "password": "sensor-1"
                 *     }
                 */
                "application/json": {
                    token: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Password changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getWellKnownJwksJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            [key: string]: unknown;
                        }[];
                    };
                };
            };
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    patchMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "profile": {
                 *         "display_name": "sensor-1",
                 *         "bio": "sensor-1",
                 *         "location": "sensor-1",
                 *         "website": "https://example.com",
                 *         "phone": "123456"
                 *       }
                 *     }
                 */
                "application/json": {
                    name?: string;
                    profile?: {
                        display_name?: string | null;
                        bio?: string | null;
                        location?: string | null;
                        /** Format: uri */
                        website?: string | null;
                        phone?: string | null;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getMeAvatar: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/*": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putMeAvatar: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "image/*": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
        };
    };
    deleteMeAvatar: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getMePreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    patchMePreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "language": "en",
                 *       "timezone": "sensor-1",
                 *       "theme": "light",
                 *       "date_format": "sensor-1",
                 *       "time_format": "12h",
                 *       "notification_channels": [
                 *         "email"
                 *       ],
                 *       "notification_mute": [
                 *         "alarm.raised"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["Preferences"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    putMePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "current_password": "sensor-1",
                 *       "new_password": "sensor-1"
                 *     }
                 */
                "application/json": {
                    current_password: string;
                    new_password: string;
                };
            };
        };
        responses: {
            /** @description Changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getMeSessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Session"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    deleteMeSessionsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getMeApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ApiKey"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postMeApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "scopes": [
                 *         "profile:read"
                 *       ]
                 *     }
                 */
                "application/json": {
                    name: string;
                    scopes: ("profile:read" | "profile:write" | "org:read" | "org:write" | "org:delete" | "members:read" | "members:manage" | "roles:manage" | "api_keys:manage" | "devices:read" | "devices:write" | "telemetry:read" | "telemetry:subscribe" | "ota:read" | "ota:deploy" | "billing:read" | "billing:manage" | "audit:read" | "events:read" | "webhooks:read" | "webhooks:write" | "rules:read" | "rules:write" | "alarms:read" | "alarms:write" | "tasks:read" | "files:read" | "files:write" | "analytics:read" | "analytics:write")[];
                    /**
                     * Format: date-time
                     * @description When the key stops working; never when left out
                     * @example 2027-06-30T00:00:00Z
                     */
                    expires_at?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"] & {
                        secret: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    deleteMeApiKeysById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postMeMfaTotp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        secret: string;
                        otpauth_uri: string;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
        };
    };
    postMeMfaTotpConfirm: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "123456"
                 *     }
                 */
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        recovery_codes: string[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
        };
    };
    postMeMfaTotpDisable: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "sensor-1"
                 *     }
                 */
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description Disabled */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteAdminUsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Purged */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    patchAdminUsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "Ada Lovelace",
                 *       "email": "ada@example.com",
                 *       "email_verified": true
                 *     }
                 */
                "application/json": components["schemas"]["AdminUserPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getAdminUsers: {
        parameters: {
            query?: {
                search?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["User"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postAdminUsersDisable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postAdminUsersEnable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getAdminUsersActivity: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            type: string;
                            address: string | null;
                            user_agent: string | null;
                            detail?: unknown;
                            at: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postMeDeletion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "password": "correct horse battery",
                 *       "code": "123456"
                 *     }
                 */
                "application/json": components["schemas"]["DeletionRequest"];
            };
        };
        responses: {
            /** @description Scheduled */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletionScheduled"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAuthDeletionCancel: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "ada@example.com",
                 *       "password": "correct horse battery"
                 *     }
                 */
                "application/json": components["schemas"]["DeletionCancel"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "cancelled";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getMeExport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getUsers: {
        parameters: {
            query: {
                search: string;
                limit?: number;
                /** @description next_cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["UserSummary"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getUsersAvatar: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/*": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Organization"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    postOrgs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    slug?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Organization"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsByOrgId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Organization"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsByOrgId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "confirmation_token": "sensor-1"
                 *     }
                 */
                "application/json": {
                    confirmation_token: string;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "deleted";
                        purge_after: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsByOrgId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "slug": "sensor-1",
                 *       "settings": {
                 *         "retention_days": 1,
                 *         "timezone": "sensor-1"
                 *       }
                 *     }
                 */
                "application/json": {
                    name?: string;
                    slug?: string;
                    settings?: {
                        retention_days?: number;
                        timezone?: string;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Organization"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postOrgsDeletion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        confirmation_token: string;
                        expires_in: number;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsMembers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            user_id: string;
                            email: string;
                            name: string | null;
                            role: string;
                            since: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsMembersByUserId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    patchOrgsMembersByUserId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "role": "sensor-1"
                 *     }
                 */
                "application/json": {
                    role: string;
                };
            };
        };
        responses: {
            /** @description Changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsRoles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            name: string;
                            permissions: string[];
                            builtin: boolean;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putOrgsRolesByName: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "permissions": [
                 *         "org:read"
                 *       ]
                 *     }
                 */
                "application/json": {
                    permissions: ("org:read" | "org:write" | "org:delete" | "members:read" | "members:manage" | "roles:manage" | "api_keys:manage" | "devices:read" | "devices:write" | "telemetry:read" | "telemetry:subscribe" | "ota:read" | "ota:deploy" | "billing:read" | "billing:manage" | "audit:read" | "events:read" | "webhooks:read" | "webhooks:write" | "rules:read" | "rules:write" | "alarms:read" | "alarms:write" | "tasks:read" | "files:read" | "files:write" | "analytics:read" | "analytics:write")[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        permissions: string[];
                        builtin: boolean;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteOrgsRolesByName: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postInvitationsAccept: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "sensor-1"
                 *     }
                 */
                "application/json": {
                    token: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        org_id: string;
                        name: string | null;
                        role: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
        };
    };
    getOrgsInvitations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Invitation"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsInvitations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "ada@example.com",
                 *       "role": "sensor-1"
                 *     }
                 */
                "application/json": {
                    /** Format: email */
                    email: string;
                    role: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsInvitationsResend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsInvitationsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ApiKey"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "scopes": [
                 *         "org:read"
                 *       ]
                 *     }
                 */
                "application/json": {
                    name: string;
                    scopes: ("org:read" | "org:write" | "org:delete" | "members:read" | "members:manage" | "roles:manage" | "api_keys:manage" | "devices:read" | "devices:write" | "telemetry:read" | "telemetry:subscribe" | "ota:read" | "ota:deploy" | "billing:read" | "billing:manage" | "audit:read" | "events:read" | "webhooks:read" | "webhooks:write" | "rules:read" | "rules:write" | "alarms:read" | "alarms:write" | "tasks:read" | "files:read" | "files:write" | "analytics:read" | "analytics:write")[];
                    /**
                     * Format: date-time
                     * @description When the key stops working; never when left out
                     * @example 2027-06-30T00:00:00Z
                     */
                    expires_at?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"] & {
                        secret: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsApiKeysById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsAudit: {
        parameters: {
            query?: {
                actor?: string;
                /** @description A part of the action, taken literally, e.g. `members` or `PATCH /v1/orgs/{orgId}/members/{userId}` */
                action?: string;
                target?: string;
                from?: string;
                to?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["AuditEntry"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsAuditExport: {
        parameters: {
            query?: {
                actor?: string;
                /** @description A part of the action, taken literally, e.g. `members` or `PATCH /v1/orgs/{orgId}/members/{userId}` */
                action?: string;
                target?: string;
                from?: string;
                to?: string;
                format?: "csv" | "ndjson";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postAdminClaimCodes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "count": 1
                 *     }
                 */
                "application/json": {
                    count: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        codes: string[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postOrgsDevicesClaim: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "sensor-1",
                 *       "name": "sensor-1"
                 *     }
                 */
                "application/json": {
                    code: string;
                    name: string;
                    tags?: string[];
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postClaimCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "sensor-1"
                 *     }
                 */
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        mqtt: {
                            host: string;
                            port: number;
                            client_id: string;
                            username: string;
                            password: string;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getOrgsDevices: {
        parameters: {
            query?: {
                tag?: string;
                type?: string;
                online?: "true" | "false";
                q?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Device"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    type?: string;
                    tags?: string[];
                    attributes?: {
                        [key: string]: unknown;
                    };
                    retention_days?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Device"] & {
                        mqtt: components["schemas"]["MqttCredentials"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsDevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Device"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsDevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsDevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "type": "sensor-1",
                 *       "tags": [
                 *         "sensor-1"
                 *       ],
                 *       "attributes": {},
                 *       "retention_days": 1
                 *     }
                 */
                "application/json": {
                    name?: string;
                    type?: string | null;
                    tags?: string[];
                    attributes?: {
                        [key: string]: unknown;
                    };
                    retention_days?: number | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Device"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDevicesCredentialsRotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        mqtt: components["schemas"]["MqttCredentials"];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDevicesCredentialsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDevicesBulk: {
        parameters: {
            query?: {
                /** @description Format of the credentials file back */
                format?: "json" | "csv";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "devices": [
                 *         {
                 *           "name": "greenhouse-1",
                 *           "type": "pi4",
                 *           "tags": [
                 *             "greenhouse"
                 *           ]
                 *         },
                 *         {
                 *           "name": "greenhouse-2"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    [key: string]: unknown;
                };
                /**
                 * @example name,type,tags
                 *     greenhouse-1,pi4,greenhouse;north
                 *     greenhouse-2,pi4,greenhouse
                 */
                "text/csv": string;
            };
        };
        responses: {
            /** @description The devices with their credentials */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: (components["schemas"]["Device"] & {
                            mqtt: components["schemas"]["MqttCredentials"];
                        })[];
                    };
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
        };
    };
    getOrgsDevicesConnections: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            address: string | null;
                            connected_at: string;
                            disconnected_at: string | null;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsGroups: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["DeviceGroup"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsGroups: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "kind": "static"
                 *     }
                 */
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    kind: "static" | "dynamic";
                    tags?: string[];
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteOrgsGroupsByGroupId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                groupId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsGroupsByGroupId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                groupId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "tags": [
                 *         "sensor-1"
                 *       ]
                 *     }
                 */
                "application/json": {
                    name?: string;
                    tags?: string[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsGroupsDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                groupId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Device"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putOrgsGroupsDevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                groupId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Added */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteOrgsGroupsDevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                groupId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsDeviceCas: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["DeviceCa"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDeviceCas: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "certificate_pem": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    certificate_pem: string;
                    auto_register?: boolean;
                } | {
                    name: string;
                    /** @enum {boolean} */
                    generate: true;
                    /** @default 3650 */
                    days?: number;
                    auto_register?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceCa"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsDeviceCasById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceCa"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsDeviceCasById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted; its devices are dropped */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsDeviceCasById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "active": true,
                 *       "auto_register": true
                 *     }
                 */
                "application/json": {
                    name?: string;
                    active?: boolean;
                    auto_register?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceCa"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsDeviceCasRevocations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["RevokedCertificate"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDeviceCasRevocations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "serial": "a"
                 *     }
                 */
                "application/json": {
                    serial: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        serial: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDeviceCasCertificates: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "device_id": "7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f"
                 *     }
                 */
                "application/json": {
                    device_id: string;
                    csr_pem?: string;
                    /** @default 365 */
                    days?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceCertificate"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsDevicesTelemetryLatest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: {
                            ts: string;
                            value: number | boolean | string | null;
                        };
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsDevicesTelemetry: {
        parameters: {
            query: {
                metric: string;
                /** @description Start of the range, inclusive (required) */
                from: string;
                /** @description End of the range, exclusive; now when left out */
                to?: string;
                /** @description Bucket width: a bucketed series instead of raw points */
                bucket?: "1m" | "5m" | "15m" | "1h" | "6h" | "1d";
                /** @description How each bucket is summarised; `avg` when left out */
                agg?: "avg" | "min" | "max" | "sum" | "count" | "first" | "last";
                /** @description Points per page; 1,000 when left out */
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            ts: string;
                            value: number | boolean | string | null;
                        }[];
                        next_cursor: string | null;
                    } | components["schemas"]["DeviceTelemetrySeries"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsTelemetry: {
        parameters: {
            query: {
                device_ids?: string;
                group_id?: string;
                metric: string;
                /** @description Start of the range, inclusive (required) */
                from: string;
                /** @description End of the range, exclusive; now when left out */
                to?: string;
                /** @description Bucket width: a bucketed series instead of raw points */
                bucket: "1m" | "5m" | "15m" | "1h" | "6h" | "1d";
                /** @description How each bucket is summarised; `avg` when left out */
                agg?: "avg" | "min" | "max" | "sum" | "count" | "first" | "last";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TelemetrySeries"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsTelemetryExport: {
        parameters: {
            query: {
                device_ids?: string;
                group_id?: string;
                metrics?: string;
                /** @description Start of the range, inclusive (required) */
                from: string;
                /** @description End of the range, exclusive; now when left out */
                to?: string;
                format?: "csv" | "ndjson";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The rows */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsDevicesTwin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Twin"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsDevicesTwin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "desired": {}
                 *     }
                 */
                "application/json": {
                    desired: {
                        [key: string]: unknown;
                    };
                    version?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Twin"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsDevicesCommands: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Command"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDevicesCommands: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    params?: unknown;
                    /** @default 10 */
                    timeout_s?: number;
                    /** @default 3600 */
                    ttl_s?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Command"];
                };
            };
            /** @description Stored; poll it */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Command"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsDevicesCommandsByCommandId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
                commandId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Command"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsGroupsCommands: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                groupId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    params?: unknown;
                    /** @default 3600 */
                    ttl_s?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: (components["schemas"]["Command"] & {
                            device_id: string;
                        })[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsGrafanaCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        host: string;
                        port: number;
                        database: string;
                        user: string;
                        password: string;
                        sslmode: string;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteOrgsGrafanaCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsBilling: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        plan: string;
                        status: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsBillingCheckout: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "plan": "pro"
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    plan: "pro" | "enterprise";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        url: string | null;
                        id: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsBillingPortal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        url: string | null;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsBillingInvoices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            [key: string]: unknown;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsUsage: {
        parameters: {
            query: {
                from: string;
                to: string;
                by?: "day" | "device" | "user";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            [key: string]: unknown;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putAdminOrgsLimits: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "devices": 1,
                 *       "messages_per_day": 1,
                 *       "data_points_per_day": 1,
                 *       "rollouts_per_month": 1,
                 *       "seats": 1,
                 *       "files_bytes": 1,
                 *       "files_count": 1,
                 *       "retention_days": 1
                 *     }
                 */
                "application/json": {
                    devices?: number | null;
                    messages_per_day?: number | null;
                    data_points_per_day?: number | null;
                    rollouts_per_month?: number | null;
                    seats?: number | null;
                    files_bytes?: number | null;
                    files_count?: number | null;
                    retention_days?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        plan: string;
                        limits: {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postBillingStripeWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        received: true;
                        duplicate: boolean;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getOrgsOrders: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Order"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsOrders: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "item_id": "device-license",
                 *       "quantity": 5,
                 *       "idempotency_key": "order-2026-12-07-1"
                 *     }
                 */
                "application/json": {
                    /** @example plan-pro */
                    item_id?: string;
                    /**
                     * @description Older form of item_id: device-license
                     * @enum {string}
                     */
                    item?: "device_licenses";
                    quantity: number;
                    /** @description Items paid from the wallet are bought once per key; without one, each request buys */
                    idempotency_key?: string;
                };
            };
        };
        responses: {
            /** @description The order; with checkout, where to pay */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getOrgsWallet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        credits: number;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsWalletTopUp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "credits": 1
                 *     }
                 */
                "application/json": {
                    credits: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        url: string | null;
                        id: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsWalletSpend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "credits": 1,
                 *       "reason": "sensor-1",
                 *       "idempotency_key": "sensor-1"
                 *     }
                 */
                "application/json": {
                    credits: number;
                    reason: string;
                    idempotency_key: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        transaction_id: string;
                        replayed: boolean;
                        credits: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsWalletStatement: {
        parameters: {
            query?: {
                format?: "json" | "csv";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The movements */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            [key: string]: unknown;
                        }[];
                    };
                    "text/csv": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postAdminOrgsCredits: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "credits": 1,
                 *       "reason": "sensor-1"
                 *     }
                 */
                "application/json": {
                    credits: number;
                    reason: string;
                    /** @description The same key grants once; without one, each request grants */
                    idempotency_key?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        transaction_id: string;
                        replayed: boolean;
                        credits: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getCatalog: {
        parameters: {
            query?: {
                kind?: "plan" | "credit_pack" | "device_license";
                currency?: string;
                min_price?: number | null;
                max_price?: number | null;
                /** @description A part of the name or description */
                q?: string;
                limit?: number;
                /** @description next_cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description A strong tag of the answer: send it back in If-None-Match */
                    ETag?: string;
                    /** @description public, max-age=60 */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["CatalogItem"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description Not modified: If-None-Match named the current ETag */
            304: {
                headers: {
                    /** @description A strong tag of the answer: send it back in If-None-Match */
                    ETag?: string;
                    /** @description public, max-age=60 */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
        };
    };
    getCatalogById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description A strong tag of the answer: send it back in If-None-Match */
                    ETag?: string;
                    /** @description public, max-age=60 */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogItem"];
                };
            };
            /** @description Not modified: If-None-Match named the current ETag */
            304: {
                headers: {
                    /** @description A strong tag of the answer: send it back in If-None-Match */
                    ETag?: string;
                    /** @description public, max-age=60 */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
        };
    };
    postAdminCatalog: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "id": "devices-10",
                 *       "kind": "device_license",
                 *       "name": "10 device licenses",
                 *       "description": "Ten devices over the plan, paid by card",
                 *       "price": 9000,
                 *       "currency": "usd",
                 *       "devices": 10,
                 *       "active": true
                 *     }
                 */
                "application/json": {
                    /** @example plan-pro */
                    id: string;
                    /** @enum {string} */
                    kind: "plan" | "credit_pack" | "device_license";
                    name: string;
                    /** @default  */
                    description?: string;
                    /**
                     * @description In the currency's minor units (cents), or whole credits
                     * @example 4900
                     */
                    price: number;
                    /** @example usd */
                    currency: string;
                    /** @enum {string} */
                    plan?: "free" | "pro" | "enterprise";
                    credits?: number;
                    devices?: number;
                    /** @default true */
                    active?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogItem"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteAdminCatalogById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deactivated: orders name the item */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogItem"];
                };
            };
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchAdminCatalogById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "price": 3900,
                 *       "description": "Spring offer"
                 *     }
                 */
                "application/json": {
                    name?: string;
                    description?: string;
                    /**
                     * @description In the currency's minor units (cents), or whole credits
                     * @example 4900
                     */
                    price?: number;
                    /** @example usd */
                    currency?: string;
                    credits?: number;
                    devices?: number;
                    active?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogItem"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Rule"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "target": {
                 *         "device_ids": [
                 *           "7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f"
                 *         ]
                 *       },
                 *       "kind": "threshold",
                 *       "metric": "sensor-1",
                 *       "params": {
                 *         "op": "gt",
                 *         "value": 1
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["RuleInput"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsRulesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsRulesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsRulesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "enabled": true,
                 *       "target": {
                 *         "device_ids": [
                 *           "7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f"
                 *         ]
                 *       },
                 *       "severity": "warning",
                 *       "actions": [
                 *         {
                 *           "type": "alarm"
                 *         }
                 *       ],
                 *       "kind": "threshold",
                 *       "metric": "sensor-1",
                 *       "params": {}
                 *     }
                 */
                "application/json": {
                    name?: string;
                    /** @default true */
                    enabled?: boolean;
                    target?: {
                        device_ids: string[];
                    } | {
                        /** Format: uuid */
                        group_id: string;
                    } | {
                        tags: string[];
                    };
                    /**
                     * @default warning
                     * @enum {string}
                     */
                    severity?: "info" | "warning" | "minor" | "major" | "critical";
                    /**
                     * @default [
                     *       {
                     *         "type": "alarm"
                     *       }
                     *     ]
                     */
                    actions?: ({
                        /** @enum {string} */
                        type: "alarm";
                    } | {
                        /** @enum {string} */
                        type: "command";
                        name: string;
                        params?: unknown;
                    } | {
                        /** @enum {string} */
                        type: "notify";
                    } | {
                        /** @enum {string} */
                        type: "webhook";
                    })[];
                    /** @enum {string} */
                    kind?: "threshold" | "range" | "rate" | "absence" | "offline";
                    metric?: string;
                    params?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsAlarms: {
        parameters: {
            query?: {
                state?: "open" | "cleared" | "all";
                severity?: "info" | "warning" | "minor" | "major" | "critical";
                /** @description Only alarms a person acknowledged (true), or not yet (false) */
                acknowledged?: "true" | "false";
                device_id?: string;
                rule_id?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Alarm"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsAlarmsCounts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        open: number;
                        by_severity: {
                            [key: string]: number;
                        };
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsAlarmsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alarm"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsAlarmsAcknowledge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "sensor-1"
                 *     }
                 */
                "application/json": {
                    note?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alarm"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postOrgsAlarmsClear: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "note": "sensor-1"
                 *     }
                 */
                "application/json": {
                    note?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alarm"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postAnalyticsEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    /** @default {} */
                    properties?: {
                        [key: string]: unknown;
                    };
                    user?: string;
                    session_id?: string;
                    /** Format: date-time */
                    time?: string;
                    /** Format: uuid */
                    org_id?: string;
                };
            };
        };
        responses: {
            /** @description Stored */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnalyticsAccepted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    postAnalyticsEventsBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "events": [
                 *         {
                 *           "name": "signup.started"
                 *         },
                 *         {
                 *           "name": "signup.done",
                 *           "properties": {
                 *             "method": "email"
                 *           }
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["AnalyticsEventBatch"];
            };
        };
        responses: {
            /** @description Stored */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnalyticsAccepted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getOrgsAnalyticsEvents: {
        parameters: {
            query?: {
                name?: string;
                user?: string;
                from?: string;
                to?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["AnalyticsEvent"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsAnalyticsMetrics: {
        parameters: {
            query: {
                from: string;
                to: string;
                bucket?: "1h" | "1d";
                by?: "name" | "user";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["AnalyticsCount"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsUsageSummary: {
        parameters: {
            query: {
                from: string;
                to: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsTasks: {
        parameters: {
            query?: {
                status?: "queued" | "running" | "succeeded" | "failed";
                kind?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Task"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsTasksByTaskId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsTasksResult: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
        };
    };
    postOrgsAuditExports: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "action": "DELETE",
                 *       "from": "2026-01-01T00:00:00Z",
                 *       "format": "csv"
                 *     }
                 */
                "application/json": {
                    actor?: string;
                    /** @description A part of the action, taken literally, e.g. `members` or `PATCH /v1/orgs/{orgId}/members/{userId}` */
                    action?: string;
                    target?: string;
                    /** Format: date-time */
                    from?: string;
                    /** Format: date-time */
                    to?: string;
                    /**
                     * @default ndjson
                     * @enum {string}
                     */
                    format?: "csv" | "ndjson";
                };
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsDevicesBulkOperations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "operation": {
                 *         "type": "add_tags",
                 *         "tags": [
                 *           "field-test"
                 *         ]
                 *       },
                 *       "selector": {
                 *         "tag": "site-north"
                 *       }
                 *     }
                 */
                "application/json": {
                    operation: {
                        /** @enum {string} */
                        type: "add_tags";
                        tags: string[];
                    } | {
                        /** @enum {string} */
                        type: "remove_tags";
                        tags: string[];
                    } | {
                        /** @enum {string} */
                        type: "move_to_group";
                        /**
                         * Format: uuid
                         * @description A static group
                         */
                        group_id: string;
                        /**
                         * Format: uuid
                         * @description Left, where the device is in it
                         */
                        from_group_id?: string;
                    } | {
                        /** @enum {string} */
                        type: "disable";
                    } | {
                        /** @enum {string} */
                        type: "delete";
                    };
                    selector: {
                        device_ids?: string[];
                        tag?: string;
                        /** Format: uuid */
                        group_id?: string;
                    };
                };
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postOrgsTelemetryExports: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "from": "2026-12-01T00:00:00Z"
                 *     }
                 */
                "application/json": {
                    device_ids?: string[];
                    /** Format: uuid */
                    group_id?: string;
                    metrics?: string[];
                    /**
                     * Format: date-time
                     * @example 2026-12-01T00:00:00Z
                     */
                    from: string;
                    /**
                     * Format: date-time
                     * @example 2026-12-01T00:00:00Z
                     */
                    to?: string;
                    /**
                     * @default ndjson
                     * @enum {string}
                     */
                    format?: "csv" | "ndjson";
                };
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsEvents: {
        parameters: {
            query?: {
                type?: "device.created" | "device.deleted" | "device.credentials_rotated" | "device.updated" | "device.connected" | "device.disconnected" | "group.updated" | "group.deleted" | "group.device_added" | "group.device_removed" | "rule.created" | "rule.updated" | "rule.deleted" | "rule.fired" | "alarm.raised" | "alarm.acknowledged" | "alarm.cleared" | "ota.job.changed" | "ota.rollout.changed" | "member.joined" | "invoice.paid";
                subject_id?: string;
                since?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Event"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsEventsStream: {
        parameters: {
            query?: never;
            header?: {
                "last-event-id"?: string;
            };
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookEndpoint"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "url": "https://example.com"
                 *     }
                 */
                "application/json": {
                    /** Format: uri */
                    url: string;
                    /**
                     * @default [
                     *       "*"
                     *     ]
                     */
                    event_types?: ("*" | "device.created" | "device.deleted" | "device.credentials_rotated" | "device.updated" | "device.connected" | "device.disconnected" | "group.updated" | "group.deleted" | "group.device_added" | "group.device_removed" | "rule.created" | "rule.updated" | "rule.deleted" | "rule.fired" | "alarm.raised" | "alarm.acknowledged" | "alarm.cleared" | "ota.job.changed" | "ota.rollout.changed" | "member.joined" | "invoice.paid")[];
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"] & {
                        secret: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsWebhooksById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsWebhooksById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsWebhooksById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "url": "https://example.com",
                 *       "event_types": [
                 *         "*"
                 *       ],
                 *       "enabled": true
                 *     }
                 */
                "application/json": {
                    /** Format: uri */
                    url?: string;
                    event_types?: ("*" | "device.created" | "device.deleted" | "device.credentials_rotated" | "device.updated" | "device.connected" | "device.disconnected" | "group.updated" | "group.deleted" | "group.device_added" | "group.device_removed" | "rule.created" | "rule.updated" | "rule.deleted" | "rule.fired" | "alarm.raised" | "alarm.acknowledged" | "alarm.cleared" | "ota.job.changed" | "ota.rollout.changed" | "member.joined" | "invoice.paid")[];
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsWebhooksDeliveries: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookDelivery"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsWebhooksDeliveriesRedeliver: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getMeNotifications: {
        parameters: {
            query?: {
                unread?: "true" | "false";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getMeNotificationsUnreadCount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        unread: number;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getMeNotificationsStream: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postMeNotificationsReadAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        marked: number;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postMeNotificationsRead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notification"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsNotificationRoutes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationRoute"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsNotificationRoutes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "min_severity": "info",
                 *       "roles": [
                 *         "sensor-1"
                 *       ],
                 *       "channels": [
                 *         "inbox"
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    min_severity: "info" | "warning" | "minor" | "major" | "critical";
                    roles: string[];
                    channels: ("inbox" | "email")[];
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationRoute"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsNotificationRoutesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationRoute"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsNotificationRoutesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchOrgsNotificationRoutesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "min_severity": "info",
                 *       "roles": [
                 *         "sensor-1"
                 *       ],
                 *       "channels": [
                 *         "inbox"
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    min_severity?: "info" | "warning" | "minor" | "major" | "critical";
                    roles?: string[];
                    channels?: ("inbox" | "email")[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationRoute"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsFiles: {
        parameters: {
            query?: {
                prefix?: string;
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["File"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putOrgsFiles: {
        parameters: {
            query: {
                /** @description No leading /, no empty, . or .. segment */
                path: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    postOrgsFiles: {
        parameters: {
            query: {
                /** @description No leading /, no empty, . or .. segment */
                path: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    getOrgsFilesUsage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUsage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsFilesUploadUrl: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "path": "reports/2026/june.pdf"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description No leading /, no empty, . or .. segment
                     * @example reports/2026/june.pdf
                     */
                    path: string;
                    /** @description Seconds the URL works; FILES_URL_TTL_S at most */
                    ttl_s?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedFileUrl"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsFilesUploads: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "path": "reports/2026/june.pdf"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description No leading /, no empty, . or .. segment
                     * @example reports/2026/june.pdf
                     */
                    path: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUpload"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsFilesUploadsByUploadId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUpload"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsFilesUploadsByUploadId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Aborted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putOrgsFilesUploadsPartsByNumber: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                uploadId: string;
                number: number;
            };
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUpload"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    postOrgsFilesUploadsComplete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    getOrgsFilesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsFilesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsFilesContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Part of it */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description Range outside the file */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postOrgsFilesDownloadUrl: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "ttl_s": 1
                 *     }
                 */
                "application/json": {
                    /** @description Seconds the URL works; FILES_URL_TTL_S at most */
                    ttl_s?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedFileUrl"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getMeFiles: {
        parameters: {
            query?: {
                prefix?: string;
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["File"][];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putMeFiles: {
        parameters: {
            query: {
                /** @description No leading /, no empty, . or .. segment */
                path: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    postMeFiles: {
        parameters: {
            query: {
                /** @description No leading /, no empty, . or .. segment */
                path: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    getMeFilesUsage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUsage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postMeFilesUploadUrl: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "path": "reports/2026/june.pdf"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description No leading /, no empty, . or .. segment
                     * @example reports/2026/june.pdf
                     */
                    path: string;
                    /** @description Seconds the URL works; FILES_URL_TTL_S at most */
                    ttl_s?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedFileUrl"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postMeFilesUploads: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "path": "reports/2026/june.pdf"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description No leading /, no empty, . or .. segment
                     * @example reports/2026/june.pdf
                     */
                    path: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUpload"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getMeFilesUploadsByUploadId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUpload"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteMeFilesUploadsByUploadId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Aborted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putMeFilesUploadsPartsByNumber: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                uploadId: string;
                number: number;
            };
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileUpload"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    postMeFilesUploadsComplete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                uploadId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    getMeFilesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteMeFilesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getMeFilesContent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Part of it */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description Range outside the file */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postMeFilesDownloadUrl: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "ttl_s": 1
                 *     }
                 */
                "application/json": {
                    /** @description Seconds the URL works; FILES_URL_TTL_S at most */
                    ttl_s?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedFileUrl"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getFilesDownload: {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Part of it */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description Range outside the file */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    putFilesUpload: {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The file, as the raw body (any content type; it is sniffed) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["BadRequest"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    getOrgsOtaKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["FirmwareKey"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsOtaKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "sensor-1",
                 *       "public_key": "sensor-1"
                 *     }
                 */
                "application/json": {
                    name: string;
                    public_key: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FirmwareKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteOrgsOtaKeysByKeyId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                keyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsOtaReleases: {
        parameters: {
            query?: {
                name?: string;
                before?: string;
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Release"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsOtaReleases: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /** @example {} */
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Release"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
        };
    };
    putOrgsOtaReleasesArtifact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Release"];
                };
            };
            /** @description Part received; send the rest */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        received: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    putOrgsOtaReleasesDelta: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Release"];
                };
            };
            /** @description Part received; send the rest */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        received: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsOtaReleasesUploadsByPart: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
                part: "artifact" | "delta";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        part: "artifact" | "delta";
                        size: number;
                        received: number;
                        complete: boolean;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsOtaReleasesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Release"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteOrgsOtaReleasesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsOtaRollouts: {
        parameters: {
            query?: {
                status?: "active" | "paused" | "aborted" | "completed";
                before?: string;
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Rollout"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsOtaRollouts: {
        parameters: {
            query?: {
                dry_run?: "true" | "false";
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "release_id": "7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f",
                 *       "target": {
                 *         "device_ids": [
                 *           "7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f"
                 *         ],
                 *         "group_id": "7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f",
                 *         "tags": [
                 *           "sensor-1"
                 *         ]
                 *       }
                 *     }
                 */
                "application/json": {
                    /**
                     * Format: uuid
                     * @description The `rollout_id` a dry run answered: the rollout then reaches devices in the order it showed
                     */
                    id?: string;
                    /** Format: uuid */
                    release_id: string;
                    name?: string;
                    target: {
                        device_ids?: string[];
                        /** Format: uuid */
                        group_id?: string;
                        tags?: string[];
                    };
                    /**
                     * @default [
                     *       {
                     *         "percent": 100,
                     *         "wait_s": 0,
                     *         "advance": "auto",
                     *         "success_threshold": 1,
                     *         "failure_threshold": 0.2
                     *       }
                     *     ]
                     */
                    phases?: {
                        percent: number;
                        /** @default 0 */
                        wait_s?: number;
                        /**
                         * @default auto
                         * @enum {string}
                         */
                        advance?: "auto" | "manual";
                        /** @default 1 */
                        success_threshold?: number;
                        /** @default 0.2 */
                        failure_threshold?: number;
                    }[];
                    /** @default 100 */
                    max_concurrent?: number;
                    /**
                     * @default pause
                     * @enum {string}
                     */
                    on_failure?: "pause" | "abort";
                    window?: {
                        start: string;
                        end: string;
                    };
                    /** @default 3600 */
                    progress_timeout_s?: number;
                };
            };
        };
        responses: {
            /** @description The dry run (dry_run=true) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutDryRun"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rollout"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PaymentRequired"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOrgsOtaRolloutsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rollout"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsOtaRolloutsDevices: {
        parameters: {
            query?: {
                state?: "pending" | "downloading" | "downloaded" | "verifying" | "installing" | "rebooting" | "succeeded" | "failed" | "rolled_back" | "cancelled";
                after?: string;
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["OtaJob"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getOrgsOtaEvents: {
        parameters: {
            query?: never;
            header?: {
                "last-event-id"?: string;
            };
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    postOrgsOtaRolloutsPause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rollout"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postOrgsOtaRolloutsResume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rollout"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postOrgsOtaRolloutsAdvance: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rollout"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    postOrgsOtaRolloutsAbort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rollout"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getOtaDownloadByReleaseId: {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path: {
                releaseId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Part of it */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Fetch it from object storage (OTA_DOWNLOAD_REDIRECT) */
            307: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description Range outside the artifact */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getOtaDownloadDelta: {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path: {
                releaseId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Part of it */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Fetch it from object storage (OTA_DOWNLOAD_REDIRECT) */
            307: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description Range outside the artifact */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
