// Generated from /api/openapi.json by `npm run api-types` (scripts/generate-api-types.ts); do not edit.
export interface paths {
    "/api/v1/admin/backup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a consistent backup (tar.gz) of the embedded database and the uploads while the server runs; restore it with `onecity restore` (docs/operations.md) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The archive */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/gzip": unknown;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alerts inside your jurisdiction or of your departments, newest first */
        get: {
            parameters: {
                query?: {
                    device?: string;
                    division?: string;
                    /** @description Raised at or after */
                    from?: string;
                    limit?: number;
                    offset?: number;
                    /** @description The plate (module id) of the rule */
                    plate?: string;
                    rule?: string;
                    severity?: "info" | "minor" | "moderate" | "severe" | "extreme";
                    state?: "raised" | "acknowledged" | "resolved";
                    /** @description Raised before */
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                acknowledgedAt: string | null;
                                acknowledgedBy: string | null;
                                case: {
                                    category: string | null;
                                    /** Format: date-time */
                                    closedAt: string | null;
                                    error: string | null;
                                    id: string | null;
                                    number: string | null;
                                    /** @enum {string} */
                                    status: "none" | "pending" | "opened" | "failed";
                                };
                                deviceId: string;
                                districtCode: string | null;
                                divisionCode: string | null;
                                evidence: {
                                    /** @description Observation time, ms since the epoch */
                                    at: number;
                                    id: string | number | null;
                                    property: string;
                                    value: number;
                                }[];
                                id: string;
                                location: {
                                    lat: number;
                                    lon: number;
                                } | null;
                                moduleId: string;
                                /**
                                 * Format: date-time
                                 * @description Observation time it was raised at
                                 */
                                raisedAt: string;
                                /**
                                 * Format: date-time
                                 * @description When the platform raised it
                                 */
                                raisedSeenAt: string;
                                repeats: number;
                                resolutionNote: string | null;
                                /** Format: date-time */
                                resolvedAt: string | null;
                                /** @description Null when it cleared automatically */
                                resolvedBy: string | null;
                                rule: string;
                                ruleVersion: number;
                                /** @enum {string} */
                                severity: "info" | "minor" | "moderate" | "severe" | "extreme";
                                /**
                                 * Format: date-time
                                 * @description Start of the run that raised it
                                 */
                                since: string;
                                /** @enum {string} */
                                state: "raised" | "acknowledged" | "resolved";
                                values: {
                                    label: string;
                                    value: number | null;
                                }[];
                            }[];
                            total: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alert */
        get: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            acknowledgedAt: string | null;
                            acknowledgedBy: string | null;
                            case: {
                                category: string | null;
                                /** Format: date-time */
                                closedAt: string | null;
                                error: string | null;
                                id: string | null;
                                number: string | null;
                                /** @enum {string} */
                                status: "none" | "pending" | "opened" | "failed";
                            };
                            deviceId: string;
                            districtCode: string | null;
                            divisionCode: string | null;
                            evidence: {
                                /** @description Observation time, ms since the epoch */
                                at: number;
                                id: string | number | null;
                                property: string;
                                value: number;
                            }[];
                            id: string;
                            location: {
                                lat: number;
                                lon: number;
                            } | null;
                            moduleId: string;
                            /**
                             * Format: date-time
                             * @description Observation time it was raised at
                             */
                            raisedAt: string;
                            /**
                             * Format: date-time
                             * @description When the platform raised it
                             */
                            raisedSeenAt: string;
                            repeats: number;
                            resolutionNote: string | null;
                            /** Format: date-time */
                            resolvedAt: string | null;
                            /** @description Null when it cleared automatically */
                            resolvedBy: string | null;
                            rule: string;
                            ruleVersion: number;
                            /** @enum {string} */
                            severity: "info" | "minor" | "moderate" | "severe" | "extreme";
                            /**
                             * Format: date-time
                             * @description Start of the run that raised it
                             */
                            since: string;
                            /** @enum {string} */
                            state: "raised" | "acknowledged" | "resolved";
                            values: {
                                label: string;
                                value: number | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/{id}/actions/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledge a raised alert (again: no change) */
        post: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            acknowledgedAt: string | null;
                            acknowledgedBy: string | null;
                            case: {
                                category: string | null;
                                /** Format: date-time */
                                closedAt: string | null;
                                error: string | null;
                                id: string | null;
                                number: string | null;
                                /** @enum {string} */
                                status: "none" | "pending" | "opened" | "failed";
                            };
                            deviceId: string;
                            districtCode: string | null;
                            divisionCode: string | null;
                            evidence: {
                                /** @description Observation time, ms since the epoch */
                                at: number;
                                id: string | number | null;
                                property: string;
                                value: number;
                            }[];
                            id: string;
                            location: {
                                lat: number;
                                lon: number;
                            } | null;
                            moduleId: string;
                            /**
                             * Format: date-time
                             * @description Observation time it was raised at
                             */
                            raisedAt: string;
                            /**
                             * Format: date-time
                             * @description When the platform raised it
                             */
                            raisedSeenAt: string;
                            repeats: number;
                            resolutionNote: string | null;
                            /** Format: date-time */
                            resolvedAt: string | null;
                            /** @description Null when it cleared automatically */
                            resolvedBy: string | null;
                            rule: string;
                            ruleVersion: number;
                            /** @enum {string} */
                            severity: "info" | "minor" | "moderate" | "severe" | "extreme";
                            /**
                             * Format: date-time
                             * @description Start of the run that raised it
                             */
                            since: string;
                            /** @enum {string} */
                            state: "raised" | "acknowledged" | "resolved";
                            values: {
                                label: string;
                                value: number | null;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/{id}/actions/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve an open alert by hand, with a note */
        post: {
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
                    "application/json": {
                        note: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            acknowledgedAt: string | null;
                            acknowledgedBy: string | null;
                            case: {
                                category: string | null;
                                /** Format: date-time */
                                closedAt: string | null;
                                error: string | null;
                                id: string | null;
                                number: string | null;
                                /** @enum {string} */
                                status: "none" | "pending" | "opened" | "failed";
                            };
                            deviceId: string;
                            districtCode: string | null;
                            divisionCode: string | null;
                            evidence: {
                                /** @description Observation time, ms since the epoch */
                                at: number;
                                id: string | number | null;
                                property: string;
                                value: number;
                            }[];
                            id: string;
                            location: {
                                lat: number;
                                lon: number;
                            } | null;
                            moduleId: string;
                            /**
                             * Format: date-time
                             * @description Observation time it was raised at
                             */
                            raisedAt: string;
                            /**
                             * Format: date-time
                             * @description When the platform raised it
                             */
                            raisedSeenAt: string;
                            repeats: number;
                            resolutionNote: string | null;
                            /** Format: date-time */
                            resolvedAt: string | null;
                            /** @description Null when it cleared automatically */
                            resolvedBy: string | null;
                            rule: string;
                            ruleVersion: number;
                            /** @enum {string} */
                            severity: "info" | "minor" | "moderate" | "severe" | "extreme";
                            /**
                             * Format: date-time
                             * @description Start of the run that raised it
                             */
                            since: string;
                            /** @enum {string} */
                            state: "raised" | "acknowledged" | "resolved";
                            values: {
                                label: string;
                                value: number | null;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API keys (without their secrets) */
        get: {
            parameters: {
                query?: {
                    account?: string;
                    includeRevoked?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                createdAt: string;
                                createdBy: string;
                                expiresAt: string | null;
                                id: string;
                                /** @description The secret; returned only when the key is issued. */
                                key: string;
                                name: string;
                                prefix: string;
                                revokedAt: string | null;
                                scopes: string[];
                                userId: string;
                                username: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Issue an API key to a service account; the key is shown only in this answer */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Service account id or username */
                        account: string;
                        /** Format: date-time */
                        expiresAt?: string | null;
                        name: string;
                        scopes: ("case.report" | "case.read" | "case.file" | "case.verify" | "case.dispatch" | "case.handle" | "case.close" | "case.evaluate" | "case.whistle" | "case.escalate" | "indicator.read" | "org.read" | "org.write" | "device.read" | "device.write" | "observation.ingest" | "alert.read" | "alert.manage" | "user.read" | "user.manage" | "apikey.manage" | "webhook.manage" | "audit.read" | "audit.verify" | "backup.create" | "metrics.read" | "pii.read")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            createdBy: string;
                            expiresAt: string | null;
                            id: string;
                            /** @description The secret; returned only when the key is issued. */
                            key: string;
                            name: string;
                            prefix: string;
                            revokedAt: string | null;
                            scopes: string[];
                            userId: string;
                            username: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            createdBy: string;
                            expiresAt: string | null;
                            id: string;
                            /** @description The secret; returned only when the key is issued. */
                            key: string;
                            name: string;
                            prefix: string;
                            revokedAt: string | null;
                            scopes: string[];
                            userId: string;
                            username: string;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit records, newest first, filtered by object, actor and time */
        get: {
            parameters: {
                query?: {
                    action?: string;
                    actor?: string;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    from?: string;
                    limit?: number;
                    objectId?: string;
                    objectType?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                action: string;
                                actor: string;
                                afterDigest: string | null;
                                /** Format: date-time */
                                at: string;
                                beforeDigest: string | null;
                                hash: string;
                                objectId: string;
                                objectType: string;
                                prevHash: string;
                                requestId: string | null;
                                seq: number;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/head": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest record and its hash, to anchor externally */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            at: string | null;
                            hash: string;
                            seq: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify the whole chain (optionally against an anchored head) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        anchor?: {
                            hash: string;
                            seq: number;
                        };
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            count: number;
                            firstBadSeq?: number;
                            head?: {
                                hash: string;
                                seq: number;
                            } | null;
                            ok: boolean;
                            reason?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in with username and password; returns an opaque bearer token */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                        username: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            expiresAt: string;
                            token: string;
                            tokenType: string;
                            user: {
                                /** Format: date-time */
                                createdAt: string;
                                departmentCodes: string[];
                                disabled: boolean;
                                displayName: string;
                                divisionCodes: string[];
                                email: string | null;
                                id: string;
                                /** @enum {string} */
                                kind: "user" | "service";
                                phone: string | null;
                                roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                                /** Format: date-time */
                                updatedAt: string;
                                username: string;
                                version: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke the current session token */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling principal, its roles, scope and permissions */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            departmentCodes: string[];
                            divisionCodes: string[];
                            id: string;
                            kind: string;
                            permissions: string[];
                            roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                            username: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List cases inside your jurisdiction */
        get: {
            parameters: {
                query?: {
                    /** @description Category code, or a major class to include its minor classes */
                    category?: string;
                    channel?: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                    department?: string;
                    division?: string;
                    /** @description Comma-separated case ids, at most 200 (what a live screen refreshes); the page is as long as the list unless `limit` says otherwise */
                    ids?: string;
                    light?: "green" | "yellow" | "red";
                    /** @description Page size (default 50) */
                    limit?: number;
                    offset?: number;
                    reportedFrom?: string;
                    reportedTo?: string;
                    /** @description Comma-separated states */
                    state?: string;
                    urgency?: "normal" | "urgent" | "emergency";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                assistDepartments: string[];
                                category: string;
                                /** @enum {string} */
                                channel: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                                clientRequestId: string | null;
                                /** Format: date-time */
                                closedAt: string | null;
                                /** @description The deadline of each stage the case has entered */
                                deadlines: {
                                    /** Format: date-time */
                                    accept?: string;
                                    /** Format: date-time */
                                    dispatch?: string;
                                    /** Format: date-time */
                                    file?: string;
                                    /** Format: date-time */
                                    handle?: string;
                                    /** Format: date-time */
                                    verify?: string;
                                };
                                description: string;
                                divisions: {
                                    community: string | null;
                                    district: string | null;
                                    grid: string | null;
                                    street: string | null;
                                };
                                duplicateCandidates: {
                                    distanceMeters: number;
                                    id: string;
                                    number: string;
                                }[];
                                /** @enum {string} */
                                escalationLevel: "department" | "district_government" | "city_command_center";
                                extension: {
                                    minutes: number;
                                    /** @enum {string} */
                                    status: "pending" | "approved" | "refused";
                                } | null;
                                id: string;
                                leadDepartment: string | null;
                                /** @enum {string|null} */
                                light: "green" | "yellow" | "red" | null;
                                /** @description With the case alone */
                                linkage?: {
                                    /** Format: date-time */
                                    deadline: string;
                                    department: string;
                                    missed: boolean;
                                    rating: number | null;
                                    /** Format: date-time */
                                    reportedInAt: string | null;
                                    whistleId: number;
                                }[];
                                links: {
                                    duplicateOf: string | null;
                                    mergedInto: string | null;
                                    parentAlertId: string | null;
                                };
                                location: {
                                    address: string | null;
                                    lat: number;
                                    lon: number;
                                };
                                media: string[];
                                number: string;
                                /** Format: date-time */
                                reportedAt: string;
                                /** @description With the case alone, masked */
                                reporters?: {
                                    address: string | null;
                                    consent: boolean;
                                    email: string | null;
                                    name: string | null;
                                    phone: string | null;
                                    sourceCaseId: string;
                                }[];
                                responsibility: {
                                    listVersion: string | null;
                                    override: boolean;
                                    ruleId: string | null;
                                };
                                /** @enum {string|null} */
                                resumeState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                                /** @enum {string|null} */
                                satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied" | null;
                                stage: {
                                    /** @enum {string} */
                                    basis: "working" | "calendar";
                                    /** Format: date-time */
                                    deadline: string | null;
                                    /** Format: date-time */
                                    endedAt: string | null;
                                    extensionMinutes: number;
                                    /** @enum {string} */
                                    light: "green" | "yellow" | "red";
                                    limitMinutes: number;
                                    paused: boolean;
                                    round: number;
                                    /** @enum {string} */
                                    stage: "file" | "dispatch" | "accept" | "handle" | "verify";
                                    /** Format: date-time */
                                    startedAt: string;
                                } | null;
                                /** @enum {string} */
                                state: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked";
                                /** Format: date-time */
                                updatedAt: string;
                                /** @enum {string} */
                                urgency: "normal" | "urgent" | "emergency";
                                version: number;
                            }[];
                            limit: number;
                            offset: number;
                            total: number;
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Report a problem (intake from any channel)
         * @description Creates a case in state `reported`. Idempotent on `clientRequestId` per channel: a repeat returns the same case with 200 instead of 201. A location outside the city answers 400 `case.location_outside_city`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        address?: string;
                        category: string;
                        /** @enum {string} */
                        channel: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                        clientRequestId?: string;
                        description: string;
                        location: {
                            lat: number;
                            lon: number;
                        };
                        media?: string[];
                        parentAlertId?: string;
                        reporter?: {
                            address?: string;
                            consent?: boolean;
                            email?: string;
                            name?: string;
                            phone?: string;
                        };
                        /** @enum {string} */
                        urgency?: "normal" | "urgent" | "emergency";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            assistDepartments: string[];
                            category: string;
                            /** @enum {string} */
                            channel: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                            clientRequestId: string | null;
                            /** Format: date-time */
                            closedAt: string | null;
                            /** @description The deadline of each stage the case has entered */
                            deadlines: {
                                /** Format: date-time */
                                accept?: string;
                                /** Format: date-time */
                                dispatch?: string;
                                /** Format: date-time */
                                file?: string;
                                /** Format: date-time */
                                handle?: string;
                                /** Format: date-time */
                                verify?: string;
                            };
                            description: string;
                            divisions: {
                                community: string | null;
                                district: string | null;
                                grid: string | null;
                                street: string | null;
                            };
                            duplicateCandidates: {
                                distanceMeters: number;
                                id: string;
                                number: string;
                            }[];
                            /** @enum {string} */
                            escalationLevel: "department" | "district_government" | "city_command_center";
                            extension: {
                                minutes: number;
                                /** @enum {string} */
                                status: "pending" | "approved" | "refused";
                            } | null;
                            id: string;
                            leadDepartment: string | null;
                            /** @enum {string|null} */
                            light: "green" | "yellow" | "red" | null;
                            /** @description With the case alone */
                            linkage?: {
                                /** Format: date-time */
                                deadline: string;
                                department: string;
                                missed: boolean;
                                rating: number | null;
                                /** Format: date-time */
                                reportedInAt: string | null;
                                whistleId: number;
                            }[];
                            links: {
                                duplicateOf: string | null;
                                mergedInto: string | null;
                                parentAlertId: string | null;
                            };
                            location: {
                                address: string | null;
                                lat: number;
                                lon: number;
                            };
                            media: string[];
                            number: string;
                            /** Format: date-time */
                            reportedAt: string;
                            /** @description With the case alone, masked */
                            reporters?: {
                                address: string | null;
                                consent: boolean;
                                email: string | null;
                                name: string | null;
                                phone: string | null;
                                sourceCaseId: string;
                            }[];
                            responsibility: {
                                listVersion: string | null;
                                override: boolean;
                                ruleId: string | null;
                            };
                            /** @enum {string|null} */
                            resumeState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                            /** @enum {string|null} */
                            satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied" | null;
                            stage: {
                                /** @enum {string} */
                                basis: "working" | "calendar";
                                /** Format: date-time */
                                deadline: string | null;
                                /** Format: date-time */
                                endedAt: string | null;
                                extensionMinutes: number;
                                /** @enum {string} */
                                light: "green" | "yellow" | "red";
                                limitMinutes: number;
                                paused: boolean;
                                round: number;
                                /** @enum {string} */
                                stage: "file" | "dispatch" | "accept" | "handle" | "verify";
                                /** Format: date-time */
                                startedAt: string;
                            } | null;
                            /** @enum {string} */
                            state: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked";
                            /** Format: date-time */
                            updatedAt: string;
                            /** @enum {string} */
                            urgency: "normal" | "urgent" | "emergency";
                            version: number;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            assistDepartments: string[];
                            category: string;
                            /** @enum {string} */
                            channel: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                            clientRequestId: string | null;
                            /** Format: date-time */
                            closedAt: string | null;
                            /** @description The deadline of each stage the case has entered */
                            deadlines: {
                                /** Format: date-time */
                                accept?: string;
                                /** Format: date-time */
                                dispatch?: string;
                                /** Format: date-time */
                                file?: string;
                                /** Format: date-time */
                                handle?: string;
                                /** Format: date-time */
                                verify?: string;
                            };
                            description: string;
                            divisions: {
                                community: string | null;
                                district: string | null;
                                grid: string | null;
                                street: string | null;
                            };
                            duplicateCandidates: {
                                distanceMeters: number;
                                id: string;
                                number: string;
                            }[];
                            /** @enum {string} */
                            escalationLevel: "department" | "district_government" | "city_command_center";
                            extension: {
                                minutes: number;
                                /** @enum {string} */
                                status: "pending" | "approved" | "refused";
                            } | null;
                            id: string;
                            leadDepartment: string | null;
                            /** @enum {string|null} */
                            light: "green" | "yellow" | "red" | null;
                            /** @description With the case alone */
                            linkage?: {
                                /** Format: date-time */
                                deadline: string;
                                department: string;
                                missed: boolean;
                                rating: number | null;
                                /** Format: date-time */
                                reportedInAt: string | null;
                                whistleId: number;
                            }[];
                            links: {
                                duplicateOf: string | null;
                                mergedInto: string | null;
                                parentAlertId: string | null;
                            };
                            location: {
                                address: string | null;
                                lat: number;
                                lon: number;
                            };
                            media: string[];
                            number: string;
                            /** Format: date-time */
                            reportedAt: string;
                            /** @description With the case alone, masked */
                            reporters?: {
                                address: string | null;
                                consent: boolean;
                                email: string | null;
                                name: string | null;
                                phone: string | null;
                                sourceCaseId: string;
                            }[];
                            responsibility: {
                                listVersion: string | null;
                                override: boolean;
                                ruleId: string | null;
                            };
                            /** @enum {string|null} */
                            resumeState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                            /** @enum {string|null} */
                            satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied" | null;
                            stage: {
                                /** @enum {string} */
                                basis: "working" | "calendar";
                                /** Format: date-time */
                                deadline: string | null;
                                /** Format: date-time */
                                endedAt: string | null;
                                extensionMinutes: number;
                                /** @enum {string} */
                                light: "green" | "yellow" | "red";
                                limitMinutes: number;
                                paused: boolean;
                                round: number;
                                /** @enum {string} */
                                stage: "file" | "dispatch" | "accept" | "handle" | "verify";
                                /** Format: date-time */
                                startedAt: string;
                            } | null;
                            /** @enum {string} */
                            state: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked";
                            /** Format: date-time */
                            updatedAt: string;
                            /** @enum {string} */
                            urgency: "normal" | "urgent" | "emergency";
                            version: number;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cases/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One case, by id or case number */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Case id or case number */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            assistDepartments: string[];
                            category: string;
                            /** @enum {string} */
                            channel: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                            clientRequestId: string | null;
                            /** Format: date-time */
                            closedAt: string | null;
                            /** @description The deadline of each stage the case has entered */
                            deadlines: {
                                /** Format: date-time */
                                accept?: string;
                                /** Format: date-time */
                                dispatch?: string;
                                /** Format: date-time */
                                file?: string;
                                /** Format: date-time */
                                handle?: string;
                                /** Format: date-time */
                                verify?: string;
                            };
                            description: string;
                            divisions: {
                                community: string | null;
                                district: string | null;
                                grid: string | null;
                                street: string | null;
                            };
                            duplicateCandidates: {
                                distanceMeters: number;
                                id: string;
                                number: string;
                            }[];
                            /** @enum {string} */
                            escalationLevel: "department" | "district_government" | "city_command_center";
                            extension: {
                                minutes: number;
                                /** @enum {string} */
                                status: "pending" | "approved" | "refused";
                            } | null;
                            id: string;
                            leadDepartment: string | null;
                            /** @enum {string|null} */
                            light: "green" | "yellow" | "red" | null;
                            /** @description With the case alone */
                            linkage?: {
                                /** Format: date-time */
                                deadline: string;
                                department: string;
                                missed: boolean;
                                rating: number | null;
                                /** Format: date-time */
                                reportedInAt: string | null;
                                whistleId: number;
                            }[];
                            links: {
                                duplicateOf: string | null;
                                mergedInto: string | null;
                                parentAlertId: string | null;
                            };
                            location: {
                                address: string | null;
                                lat: number;
                                lon: number;
                            };
                            media: string[];
                            number: string;
                            /** Format: date-time */
                            reportedAt: string;
                            /** @description With the case alone, masked */
                            reporters?: {
                                address: string | null;
                                consent: boolean;
                                email: string | null;
                                name: string | null;
                                phone: string | null;
                                sourceCaseId: string;
                            }[];
                            responsibility: {
                                listVersion: string | null;
                                override: boolean;
                                ruleId: string | null;
                            };
                            /** @enum {string|null} */
                            resumeState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                            /** @enum {string|null} */
                            satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied" | null;
                            stage: {
                                /** @enum {string} */
                                basis: "working" | "calendar";
                                /** Format: date-time */
                                deadline: string | null;
                                /** Format: date-time */
                                endedAt: string | null;
                                extensionMinutes: number;
                                /** @enum {string} */
                                light: "green" | "yellow" | "red";
                                limitMinutes: number;
                                paused: boolean;
                                round: number;
                                /** @enum {string} */
                                stage: "file" | "dispatch" | "accept" | "handle" | "verify";
                                /** Format: date-time */
                                startedAt: string;
                            } | null;
                            /** @enum {string} */
                            state: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked";
                            /** Format: date-time */
                            updatedAt: string;
                            /** @enum {string} */
                            urgency: "normal" | "urgent" | "emergency";
                            version: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cases/{id}/actions/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move a case: file, reject, dispatch, accept, return, handle, verify, close, evaluate…
         * @description Body `{ version, ...params }`. A stale version answers 409 `case.version_conflict`; an action not allowed in the current state 409 `case.transition_not_allowed`; an action of another track 403 `case.track_violation`; without the action's permission (an API key not scoped for it) 403 `forbidden`. See docs/case-workflow.md.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    action: "file" | "reject" | "dispatch" | "accept" | "return" | "request-extension" | "decide-extension" | "defer" | "park" | "unpark" | "handle" | "verify" | "close" | "evaluate" | "supervise" | "escalate" | "merge" | "whistle" | "report-in" | "rate-linkage";
                    /** @description Case id or case number */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        approve?: boolean;
                        assist?: string[];
                        comment?: string;
                        deadlineMinutes?: number;
                        department?: string;
                        departments?: string[];
                        evidence?: string[];
                        into?: string;
                        lead?: string;
                        minutes?: number;
                        note?: string;
                        rating?: number;
                        reason?: string;
                        /** @enum {string} */
                        result?: "pass" | "fail";
                        /** @enum {string} */
                        satisfaction?: "satisfied" | "basically_satisfied" | "unsatisfied";
                        version: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            assistDepartments: string[];
                            category: string;
                            /** @enum {string} */
                            channel: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                            clientRequestId: string | null;
                            /** Format: date-time */
                            closedAt: string | null;
                            /** @description The deadline of each stage the case has entered */
                            deadlines: {
                                /** Format: date-time */
                                accept?: string;
                                /** Format: date-time */
                                dispatch?: string;
                                /** Format: date-time */
                                file?: string;
                                /** Format: date-time */
                                handle?: string;
                                /** Format: date-time */
                                verify?: string;
                            };
                            description: string;
                            divisions: {
                                community: string | null;
                                district: string | null;
                                grid: string | null;
                                street: string | null;
                            };
                            duplicateCandidates: {
                                distanceMeters: number;
                                id: string;
                                number: string;
                            }[];
                            /** @enum {string} */
                            escalationLevel: "department" | "district_government" | "city_command_center";
                            extension: {
                                minutes: number;
                                /** @enum {string} */
                                status: "pending" | "approved" | "refused";
                            } | null;
                            id: string;
                            leadDepartment: string | null;
                            /** @enum {string|null} */
                            light: "green" | "yellow" | "red" | null;
                            /** @description With the case alone */
                            linkage?: {
                                /** Format: date-time */
                                deadline: string;
                                department: string;
                                missed: boolean;
                                rating: number | null;
                                /** Format: date-time */
                                reportedInAt: string | null;
                                whistleId: number;
                            }[];
                            links: {
                                duplicateOf: string | null;
                                mergedInto: string | null;
                                parentAlertId: string | null;
                            };
                            location: {
                                address: string | null;
                                lat: number;
                                lon: number;
                            };
                            media: string[];
                            number: string;
                            /** Format: date-time */
                            reportedAt: string;
                            /** @description With the case alone, masked */
                            reporters?: {
                                address: string | null;
                                consent: boolean;
                                email: string | null;
                                name: string | null;
                                phone: string | null;
                                sourceCaseId: string;
                            }[];
                            responsibility: {
                                listVersion: string | null;
                                override: boolean;
                                ruleId: string | null;
                            };
                            /** @enum {string|null} */
                            resumeState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                            /** @enum {string|null} */
                            satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied" | null;
                            stage: {
                                /** @enum {string} */
                                basis: "working" | "calendar";
                                /** Format: date-time */
                                deadline: string | null;
                                /** Format: date-time */
                                endedAt: string | null;
                                extensionMinutes: number;
                                /** @enum {string} */
                                light: "green" | "yellow" | "red";
                                limitMinutes: number;
                                paused: boolean;
                                round: number;
                                /** @enum {string} */
                                stage: "file" | "dispatch" | "accept" | "handle" | "verify";
                                /** Format: date-time */
                                startedAt: string;
                            } | null;
                            /** @enum {string} */
                            state: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked";
                            /** Format: date-time */
                            updatedAt: string;
                            /** @enum {string} */
                            urgency: "normal" | "urgent" | "emergency";
                            version: number;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cases/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every transition of a case, oldest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Case id or case number */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            caseId: string;
                            entries: {
                                action: string;
                                actor: string;
                                actorRoles: string[];
                                /** Format: date-time */
                                at: string;
                                /** @enum {string|null} */
                                fromState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                                /** @description The parameters of the action */
                                params: {
                                    [key: string]: unknown;
                                };
                                seq: number;
                                /** @enum {string|null} */
                                toState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked" | null;
                            }[];
                            number: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cases/{id}/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Notifications raised on a case (supervision notices, escalations, summons) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Case id or case number */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/citizen/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in citizen's own reports */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /**
         * Report a problem with photos (multipart/form-data, or JSON without photos)
         * @description Fields: service_code, lat, lon, address, description, name, phone, email, attribute[CODE]; files: photo (JPEG, PNG or WebP, checked by content; location metadata is removed). Answers the case number (or only the follow token when the report was queued: OPEN311_INTAKE_MODE queued, or auto under a burst) and the follow token.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/citizen/reports/{ref}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a report by case number or follow token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Case number or follow token */
                    ref: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/citizen/reports/{ref}/rating": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rate a closed report (its reporter: signed in, or with the follow token) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Case number or follow token */
                    ref: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        comment?: string;
                        /** @enum {string} */
                        satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datahub/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** MQTT messages that could not be ingested, with the reason (newest first) */
        get: {
            parameters: {
                query?: {
                    deviceId?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datastreams/{id}/observations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Observations of a datastream in [from, to): raw, or min/max/avg/count per interval */
        get: {
            parameters: {
                query?: {
                    aggregate?: "min" | "max" | "avg" | "count";
                    /** @description Default: 24 hours before `to` */
                    from?: string;
                    /** @description With `aggregate`; default hour */
                    interval?: "minute" | "hour" | "day";
                    limit?: number;
                    /** @description Default: now */
                    to?: string;
                };
                header?: never;
                path: {
                    /** @description Numeric id or "device.property" */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            aggregate: string | null;
                            datastream: {
                                deviceId: string;
                                id: number;
                                key: string;
                                property: string;
                                unit: string;
                            };
                            /** Format: date-time */
                            from: string;
                            interval: string | null;
                            items: {
                                count: number;
                                quality: string;
                                /** Format: date-time */
                                time: string;
                                value: number;
                            }[];
                            /** Format: date-time */
                            to: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/departments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List departments */
        get: {
            parameters: {
                query?: {
                    kind?: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                    parent?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            code: string;
                            divisionCodes: string[];
                            /** @enum {string} */
                            kind: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** @description `core`, `admin`, or the plate that declared it */
                            source: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                    };
                };
            };
        };
        put?: never;
        /** Create a department */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                        divisionCodes?: string[];
                        /** @enum {string} */
                        kind: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                        name: {
                            en: string;
                            "zh-CN": string;
                        };
                        parentCode?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            code: string;
                            divisionCodes: string[];
                            /** @enum {string} */
                            kind: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** @description `core`, `admin`, or the plate that declared it */
                            source: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/departments/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One department */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            code: string;
                            divisionCodes: string[];
                            /** @enum {string} */
                            kind: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** @description `core`, `admin`, or the plate that declared it */
                            source: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an unused department */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a department */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        divisionCodes?: string[];
                        /** @enum {string} */
                        kind?: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                        name?: {
                            en: string;
                            "zh-CN": string;
                        };
                        parentCode?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            code: string;
                            divisionCodes: string[];
                            /** @enum {string} */
                            kind: "bureau" | "district_government" | "street_office" | "utility" | "enterprise" | "center";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** @description `core`, `admin`, or the plate that declared it */
                            source: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Devices inside your jurisdiction or of your departments */
        get: {
            parameters: {
                query?: {
                    division?: string;
                    limit?: number;
                    offline?: boolean;
                    offset?: number;
                    sensorType?: string;
                    status?: "active" | "inactive" | "maintenance";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                departmentCode: string | null;
                                districtCode: string | null;
                                divisionCode: string | null;
                                id: string;
                                keyPrefix: string;
                                /** Format: date-time */
                                lastSeenAt: string | null;
                                location: {
                                    lat: number;
                                    lon: number;
                                } | null;
                                moduleId: string;
                                name: string;
                                ngsiType: string | null;
                                offline: boolean;
                                sensorType: string;
                                /** @enum {string} */
                                status: "active" | "inactive" | "maintenance";
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            total: number;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Register a device; answers its key once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        departmentCode?: string | null;
                        id: string;
                        location?: {
                            lat: number;
                            lon: number;
                        } | null;
                        name: string;
                        sensorType: string;
                        /** @enum {string} */
                        status?: "active" | "inactive" | "maintenance";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            device: {
                                /** Format: date-time */
                                createdAt: string;
                                departmentCode: string | null;
                                districtCode: string | null;
                                divisionCode: string | null;
                                id: string;
                                keyPrefix: string;
                                /** Format: date-time */
                                lastSeenAt: string | null;
                                location: {
                                    lat: number;
                                    lon: number;
                                } | null;
                                moduleId: string;
                                name: string;
                                ngsiType: string | null;
                                offline: boolean;
                                sensorType: string;
                                /** @enum {string} */
                                status: "active" | "inactive" | "maintenance";
                                /** Format: date-time */
                                updatedAt: string;
                            };
                            /** @description The device key; shown only now, store it on the device. */
                            key: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One device */
        get: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            departmentCode: string | null;
                            districtCode: string | null;
                            divisionCode: string | null;
                            id: string;
                            keyPrefix: string;
                            /** Format: date-time */
                            lastSeenAt: string | null;
                            location: {
                                lat: number;
                                lon: number;
                            } | null;
                            moduleId: string;
                            name: string;
                            ngsiType: string | null;
                            offline: boolean;
                            sensorType: string;
                            /** @enum {string} */
                            status: "active" | "inactive" | "maintenance";
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a device with its datastreams and observations */
        delete: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a device: name, location, owner department, status */
        patch: {
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
                    "application/json": {
                        departmentCode?: string | null;
                        location?: {
                            lat: number;
                            lon: number;
                        } | null;
                        name?: string;
                        /** @enum {string} */
                        status?: "active" | "inactive" | "maintenance";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            departmentCode: string | null;
                            districtCode: string | null;
                            divisionCode: string | null;
                            id: string;
                            keyPrefix: string;
                            /** Format: date-time */
                            lastSeenAt: string | null;
                            location: {
                                lat: number;
                                lon: number;
                            } | null;
                            moduleId: string;
                            name: string;
                            ngsiType: string | null;
                            offline: boolean;
                            sensorType: string;
                            /** @enum {string} */
                            status: "active" | "inactive" | "maintenance";
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/devices/{id}/datastreams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A device's datastreams with their latest values */
        get: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                derived: boolean;
                                deviceId: string;
                                id: number;
                                key: string;
                                latest: {
                                    quality: string;
                                    /** Format: date-time */
                                    time: string;
                                    value: number;
                                } | null;
                                max: number | null;
                                min: number | null;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                                property: string;
                                unit: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/devices/{id}/key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the device key: a new key is answered once, the old one stops working */
        post: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            device: {
                                /** Format: date-time */
                                createdAt: string;
                                departmentCode: string | null;
                                districtCode: string | null;
                                divisionCode: string | null;
                                id: string;
                                keyPrefix: string;
                                /** Format: date-time */
                                lastSeenAt: string | null;
                                location: {
                                    lat: number;
                                    lon: number;
                                } | null;
                                moduleId: string;
                                name: string;
                                ngsiType: string | null;
                                offline: boolean;
                                sensorType: string;
                                /** @enum {string} */
                                status: "active" | "inactive" | "maintenance";
                                /** Format: date-time */
                                updatedAt: string;
                            };
                            /** @description The device key; shown only now, store it on the device. */
                            key: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/divisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List divisions (without boundaries unless boundary=true) */
        get: {
            parameters: {
                query?: {
                    boundary?: boolean;
                    level?: "city" | "district" | "street" | "community" | "grid";
                    parent?: string;
                    within?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            areaM2: number;
                            /** @description [minLon, minLat, maxLon, maxLat] */
                            bbox: number[];
                            boundary?: ({
                                coordinates: number[][][];
                                /** @enum {string} */
                                type: "Polygon";
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                coordinates: number[][][][];
                                /** @enum {string} */
                                type: "MultiPolygon";
                            } & {
                                [key: string]: unknown;
                            });
                            code: string;
                            /** @enum {string} */
                            level: "city" | "district" | "street" | "community" | "grid";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                    };
                };
            };
        };
        put?: never;
        /** Create a division */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        boundary: {
                            coordinates: unknown[];
                            /** @enum {string} */
                            type: "Polygon" | "MultiPolygon";
                        };
                        code: string;
                        name: {
                            en: string;
                            "zh-CN": string;
                        };
                        parentCode?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            areaM2: number;
                            /** @description [minLon, minLat, maxLon, maxLat] */
                            bbox: number[];
                            boundary?: ({
                                coordinates: number[][][];
                                /** @enum {string} */
                                type: "Polygon";
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                coordinates: number[][][][];
                                /** @enum {string} */
                                type: "MultiPolygon";
                            } & {
                                [key: string]: unknown;
                            });
                            code: string;
                            /** @enum {string} */
                            level: "city" | "district" | "street" | "community" | "grid";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/divisions/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One division with its boundary */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            areaM2: number;
                            /** @description [minLon, minLat, maxLon, maxLat] */
                            bbox: number[];
                            boundary?: ({
                                coordinates: number[][][];
                                /** @enum {string} */
                                type: "Polygon";
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                coordinates: number[][][][];
                                /** @enum {string} */
                                type: "MultiPolygon";
                            } & {
                                [key: string]: unknown;
                            });
                            code: string;
                            /** @enum {string} */
                            level: "city" | "district" | "street" | "community" | "grid";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        /** Change a division's names or boundary (re-validated against parent, children and siblings) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        boundary?: {
                            coordinates: unknown[];
                            /** @enum {string} */
                            type: "Polygon" | "MultiPolygon";
                        };
                        name?: {
                            en: string;
                            "zh-CN": string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            areaM2: number;
                            /** @description [minLon, minLat, maxLon, maxLat] */
                            bbox: number[];
                            boundary?: ({
                                coordinates: number[][][];
                                /** @enum {string} */
                                type: "Polygon";
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                coordinates: number[][][][];
                                /** @enum {string} */
                                type: "MultiPolygon";
                            } & {
                                [key: string]: unknown;
                            });
                            code: string;
                            /** @enum {string} */
                            level: "city" | "district" | "street" | "community" | "grid";
                            name: {
                                en: string;
                                "zh-CN": string;
                            };
                            parentCode: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        post?: never;
        /** Delete a division without children or rules */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/divisions/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every division as a GeoJSON FeatureCollection */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/divisions/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import divisions from a GeoJSON FeatureCollection (validated; all or nothing)
         * @description Feature properties: code, parent (optional), level (optional), name_zh, name_en. Invalid input answers 400 naming the feature index; nothing is written.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": Record<string, never>;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/divisions/locate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Which grid, community, street, district and city hold a point
         * @description Public. A point on a shared edge or vertex belongs to the division with the smallest code; see docs/divisions.md. 404 `division.outside_city` outside the city.
         */
        get: {
            parameters: {
                query: {
                    lat: number;
                    lon: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            city: {
                                code: string;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                            } | null;
                            community: {
                                code: string;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                            } | null;
                            district: {
                                code: string;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                            } | null;
                            grid: {
                                code: string;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                            } | null;
                            street: {
                                code: string;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                            } | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/indicators": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every indicator of docs/indicators.md for a period P = [from, to) and a scope */
        get: {
            parameters: {
                query: {
                    /** @description Category code or its major class */
                    category?: string;
                    channel?: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                    department?: string;
                    /** @description Division code at any level (prefix) */
                    division?: string;
                    /** @description Start of P (inclusive): YYYY-MM-DD in the city time zone, or a date-time */
                    from: string;
                    /** @description End of P (exclusive) */
                    to: string;
                    /** @description Composite weights response,resolution,satisfaction (default 30,35,35) */
                    weights?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/indicators/rankings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Indicators per district or lead department, ranked by one indicator (nulls last) */
        get: {
            parameters: {
                query: {
                    by: "district" | "department";
                    /** @description Category code or its major class */
                    category?: string;
                    channel?: "hotline" | "web" | "app" | "open311" | "grid_patrol" | "sensor_alert" | "video_alert" | "higher_assignment" | "media";
                    department?: string;
                    /** @description Division code at any level (prefix) */
                    division?: string;
                    /** @description Start of P (inclusive): YYYY-MM-DD in the city time zone, or a date-time */
                    from: string;
                    metric?: "closureRate" | "onTimeClosureRate" | "reworkRate" | "extensionRate" | "returnRate" | "accurateDispatchRate" | "responseRate" | "resolutionRate" | "satisfactionRate" | "compositeScore";
                    /** @description End of P (exclusive) */
                    to: string;
                    /** @description Composite weights response,resolution,satisfaction (default 30,35,35) */
                    weights?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/linkage/whistles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whistles and report-ins on the cases inside your jurisdiction (街乡吹哨、部门报到)
         * @description `state=open` (default): whistles on unfinished cases with a summoned department that has not reported in yet (missed ones included); `state=all`: every whistle. Most recent first.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    offset?: number;
                    state?: "open" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                caseId: string;
                                caseNumber: string;
                                /** @enum {string} */
                                caseState: "reported" | "filed" | "rejected" | "dispatched" | "in_progress" | "handled" | "rework" | "closed" | "evaluated" | "merged" | "extension_pending" | "deferred" | "parked";
                                category: string;
                                /** Format: date-time */
                                deadline: string;
                                departments: {
                                    department: string;
                                    missed: boolean;
                                    rating: number | null;
                                    /** Format: date-time */
                                    reportedInAt: string | null;
                                    reportedInBy: string | null;
                                }[];
                                divisions: {
                                    district: string | null;
                                    grid: string | null;
                                    street: string | null;
                                };
                                location: {
                                    address: string | null;
                                    lat: number;
                                    lon: number;
                                };
                                missed: number;
                                note: string | null;
                                /** @description Summoned departments that have not reported in */
                                pending: number;
                                /** Format: date-time */
                                whistledAt: string;
                                whistledBy: string;
                                whistleId: number;
                            }[];
                            limit: number;
                            offset: number;
                            total: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a photo as evidence (handling, verification, grid patrol)
         * @description multipart/form-data with one file `file`: JPEG, PNG or WebP, checked by content (415 when it is not, or lies about its type), at most UPLOAD_MAX_BYTES (413); location metadata is removed. Roles that handle, verify or patrol. Answers `{ id, url, type, size }`; cite `url` as `evidence` (handle, verify) or in `media` (patrol report).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/media/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A staff photo, through the case that cites it
         * @description The caller must see the case `case` (id or number) and that case must cite the photo (in its media or in the evidence of an action); otherwise 404.
         */
        get: {
            parameters: {
                query?: {
                    case?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/modules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Enabled plates with their case categories and time limits per urgency */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            modules: {
                                categories: {
                                    autoDispatch: boolean;
                                    code: string;
                                    defaultResponsibility: {
                                        assist?: string[];
                                        lead: string;
                                    } | null;
                                    /** @enum {string} */
                                    defaultUrgency: "normal" | "urgent" | "emergency";
                                    /** @enum {string} */
                                    kind: "component" | "event";
                                    name: {
                                        en: string;
                                        "zh-CN": string;
                                    };
                                    parent: string | null;
                                    public: boolean;
                                    /** @description Effective limits per urgency; an urgency without limits is left out */
                                    timeLimits: {
                                        emergency?: {
                                            /** @enum {string} */
                                            basis: "working" | "calendar";
                                            minutes: {
                                                accept?: number;
                                                dispatch?: number;
                                                file?: number;
                                                handle?: number;
                                                verify?: number;
                                            };
                                        };
                                        normal?: {
                                            /** @enum {string} */
                                            basis: "working" | "calendar";
                                            minutes: {
                                                accept?: number;
                                                dispatch?: number;
                                                file?: number;
                                                handle?: number;
                                                verify?: number;
                                            };
                                        };
                                        urgent?: {
                                            /** @enum {string} */
                                            basis: "working" | "calendar";
                                            minutes: {
                                                accept?: number;
                                                dispatch?: number;
                                                file?: number;
                                                handle?: number;
                                                verify?: number;
                                            };
                                        };
                                    };
                                }[];
                                description: {
                                    en: string;
                                    "zh-CN": string;
                                } | null;
                                id: string;
                                name: {
                                    en: string;
                                    "zh-CN": string;
                                };
                                version: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your in-app notifications, newest first, with the unread count */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    offset?: number;
                    /** @description Only unread ones */
                    unread?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one of your notifications read */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications/read-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark all your notifications read */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/observations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ingest up to 10000 observations; answers after they are stored
         * @description Authenticate with a device key (`X-API-Key: ocd_…`, own datastreams only) or as a principal with `observation.ingest`. The body is an array of observations or `{"items": [...]}`. Repeats of a (datastream, time) are counted as duplicates. With `atomic=true` one bad item refuses the whole batch (400 `ingest.batch_rejected`). When the write queue is full: 503 `ingest.overloaded` with Retry-After.
         */
        post: {
            parameters: {
                query?: {
                    atomic?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": unknown[] | {
                        items: unknown[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Observations stored by this request */
                            accepted: number;
                            /** @description Already stored (same datastream and time); unchanged */
                            duplicates: number;
                            rejected: {
                                index: number;
                                reason: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/posts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List posts (岗位) */
        get: {
            parameters: {
                query?: {
                    department?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Create a post in a department */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                        departmentCode: string;
                        holderIds?: string[];
                        name: {
                            en: string;
                            "zh-CN": string;
                        };
                        /** @enum {string|null} */
                        role?: "citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin" | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/posts/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One post */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a post */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a post or its holders */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        departmentCode?: string;
                        holderIds?: string[];
                        name?: {
                            en: string;
                            "zh-CN": string;
                        };
                        /** @enum {string|null} */
                        role?: "citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin" | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/api/v1/public/cases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Anonymized cases on the map (GeoJSON; points at ~200 m cell centres) */
        get: {
            parameters: {
                query?: {
                    days?: number;
                    district?: string;
                    service_code?: string;
                    status?: "open" | "closed";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/public/districts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Counts, closure rate and satisfaction rate per district */
        get: {
            parameters: {
                query?: {
                    days?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/public/divisions.geojson": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Division outlines for the public map (GeoJSON; codes, names and boundaries only)
         * @description Public, no sign-in. Properties: code, level, parent, name_zh, name_en; boundaries rounded to 1e-5°. Without `level`, every level. Cacheable: ETag (answer 304 to If-None-Match) and Cache-Control public, max-age=300.
         */
        get: {
            parameters: {
                query?: {
                    level?: "city" | "district" | "street" | "community" | "grid";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/public/media/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A report photo (metadata removed), by its content name */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responsibility-grids": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List responsibility grids (责任网格) */
        get: {
            parameters: {
                query?: {
                    within?: string;
                    worker?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responsibility-grids/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One responsibility grid */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /** Create or replace a responsibility grid and its grid workers */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code?: string;
                        divisionCode: string;
                        gridCodes: string[];
                        name: {
                            en: string;
                            "zh-CN": string;
                        };
                        workerIds?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        /** Delete a responsibility grid */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    code: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responsibility/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who is responsible for category C at a point (lat, lon) or division, and the rule that decided
         * @description Most specific rule wins: longest division code, then exact category over parent class over prefix pattern. Without a rule: the plate default, then the district government.
         */
        get: {
            parameters: {
                query: {
                    category: string;
                    division?: string;
                    lat?: number;
                    lon?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            assist: string[];
                            category: string;
                            divisionCode: string;
                            lead: string;
                            /** @description 0 before the first rule */
                            listVersion: number;
                            location: {
                                city: {
                                    code: string;
                                    name: {
                                        en: string;
                                        "zh-CN": string;
                                    };
                                } | null;
                                community: {
                                    code: string;
                                    name: {
                                        en: string;
                                        "zh-CN": string;
                                    };
                                } | null;
                                district: {
                                    code: string;
                                    name: {
                                        en: string;
                                        "zh-CN": string;
                                    };
                                } | null;
                                grid: {
                                    code: string;
                                    name: {
                                        en: string;
                                        "zh-CN": string;
                                    };
                                } | null;
                                street: {
                                    code: string;
                                    name: {
                                        en: string;
                                        "zh-CN": string;
                                    };
                                } | null;
                            } | null;
                            rule: {
                                assist: string[];
                                category: string;
                                divisionCode: string;
                                lead: string;
                                note: string;
                                ruleId: string;
                                sinceVersion: number;
                            } | null;
                            ruleId: string | null;
                            /** @enum {string} */
                            source: "rule" | "category_default" | "district_government" | "command_center";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responsibility/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rules of the current list version (or of ?version=n) */
        get: {
            parameters: {
                query?: {
                    category?: string;
                    division?: string;
                    version?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Add a rule (makes a new list version) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        assist?: string[];
                        category: string;
                        divisionCode: string;
                        lead: string;
                        note?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responsibility/rules/{ruleId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Retire a rule (makes a new list version) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    ruleId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a rule (makes a new list version) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    ruleId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        assist?: string[];
                        category?: string;
                        divisionCode?: string;
                        lead?: string;
                        note?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/api/v1/responsibility/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Versions of the responsibility list, newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responsibility/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version of the responsibility list with its rules */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-sent events of the cases you may see; resume with Last-Event-ID (or ?lastEventId=) */
        get: {
            parameters: {
                query?: {
                    lastEventId?: string;
                    token?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A 60-second ticket for `GET /api/v1/stream?token=` (EventSource cannot send headers) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users and service accounts inside your jurisdiction */
        get: {
            parameters: {
                query?: {
                    includeDisabled?: boolean;
                    kind?: "user" | "service";
                    limit?: number;
                    offset?: number;
                    q?: string;
                    role?: "citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                departmentCodes: string[];
                                disabled: boolean;
                                displayName: string;
                                divisionCodes: string[];
                                email: string | null;
                                id: string;
                                /** @enum {string} */
                                kind: "user" | "service";
                                phone: string | null;
                                roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                                /** Format: date-time */
                                updatedAt: string;
                                username: string;
                                version: number;
                            }[];
                            total: number;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a user (with a password) or a service account (kind "service") */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        departmentCodes?: string[];
                        displayName?: string;
                        divisionCodes?: string[];
                        /** Format: email */
                        email?: string | null;
                        /** @enum {string} */
                        kind?: "user" | "service";
                        password?: string;
                        phone?: string | null;
                        roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                        username: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            departmentCodes: string[];
                            disabled: boolean;
                            displayName: string;
                            divisionCodes: string[];
                            email: string | null;
                            id: string;
                            /** @enum {string} */
                            kind: "user" | "service";
                            phone: string | null;
                            roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                            /** Format: date-time */
                            updatedAt: string;
                            username: string;
                            version: number;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user */
        get: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            departmentCodes: string[];
                            disabled: boolean;
                            displayName: string;
                            divisionCodes: string[];
                            email: string | null;
                            id: string;
                            /** @enum {string} */
                            kind: "user" | "service";
                            phone: string | null;
                            roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                            /** Format: date-time */
                            updatedAt: string;
                            username: string;
                            version: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change roles, scope, name, contact or disabled state */
        patch: {
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
                    "application/json": {
                        departmentCodes?: string[];
                        disabled?: boolean;
                        displayName?: string;
                        divisionCodes?: string[];
                        /** Format: email */
                        email?: string | null;
                        phone?: string | null;
                        roles?: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                        version?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            departmentCodes: string[];
                            disabled: boolean;
                            displayName: string;
                            divisionCodes: string[];
                            email: string | null;
                            id: string;
                            /** @enum {string} */
                            kind: "user" | "service";
                            phone: string | null;
                            roles: ("citizen" | "grid_worker" | "supervision_operator" | "dispatcher" | "department_handler" | "department_leader" | "street_officer" | "city_leader" | "auditor" | "admin")[];
                            /** Format: date-time */
                            updatedAt: string;
                            username: string;
                            version: number;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reset a user's password (revokes their sessions) */
        post: {
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
                    "application/json": {
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke all of a user's sessions */
        delete: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            revoked: number;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Webhook subscriptions (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Subscribe a URL to case events (admin); the secret is shown only in this answer */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        active?: boolean;
                        description?: string | null;
                        events: string[];
                        url: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook subscription (admin) */
        get: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a subscription (admin) */
        delete: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a subscription (admin); `rotateSecret: true` answers with a new secret */
        patch: {
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
                    "application/json": {
                        active?: boolean;
                        description?: string | null;
                        events?: string[];
                        rotateSecret?: boolean;
                        url?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/api/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Delivery log of a subscription, newest first (admin) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    status?: "pending" | "retrying" | "delivered" | "failed" | "cancelled";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: process, HTTP, cases, scheduler, data hub, live streams, audit head (docs/operations.md) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prometheus text exposition format 0.0.4 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/attributes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/attributes/{attr}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    attr: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/entities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/entities/{entityId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/entities/{entityId}/attrs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/ngsi-ld/v1/entities/{entityId}/attrs/{attrId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    attrId: string;
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    attrId: string;
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/ngsi-ld/v1/entityOperations/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/entityOperations/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/entityOperations/update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/entityOperations/upsert": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/subscriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/ngsi-ld/v1/temporal/entities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/temporal/entities/{entityId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entityId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ngsi-ld/v1/types/{type}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    type: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/discovery.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 discovery */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/request/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 one service request (id.json or id.xml) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/requests.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 service requests */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** GeoReport v2 create service request */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/requests/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 one service request (id.json or id.xml) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/services.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 service list */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            description: string | null;
                            group: string | null;
                            /** @description Comma-separated */
                            keywords: string | null;
                            metadata: boolean;
                            service_code: string;
                            service_name: string;
                            /** @enum {string} */
                            type: "realtime" | "batch" | "blackbox";
                        }[];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/services/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 service definition (code.json or code.xml) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open311/v2/tokens/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GeoReport v2 request id from a token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
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
        /** Readiness: database reachable and migrations applied */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            pendingMigrations: string[];
                            reason: string;
                            status: string;
                        };
                    };
                };
            };
        };
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
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
