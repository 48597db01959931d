-- askpro schema, SQLite dialect. Mirrored in migrations/postgres/0001_init.sql.
-- Times are integer milliseconds since the Unix epoch (UTC); money is integer cents;
-- JSON is text. Every business row carries company_id.

CREATE TABLE companies (
    id                           INTEGER PRIMARY KEY,
    name                         TEXT    NOT NULL,
    name_key                     TEXT    NOT NULL UNIQUE,
    email                        TEXT,
    phone                        TEXT,
    country                      TEXT    NOT NULL DEFAULT 'DE',
    timezone                     TEXT    NOT NULL DEFAULT 'Europe/Berlin',
    industry                     TEXT,
    scheduling                   TEXT    NOT NULL DEFAULT 'local' CHECK (scheduling IN ('local', 'calcom')),
    calcom_team_id               INTEGER,
    calcom_api_key_enc           TEXT,
    calcom_api_key_hint          TEXT,
    retell_api_key_enc           TEXT,
    retell_api_key_hint          TEXT,
    callback_channels            TEXT    NOT NULL DEFAULT 'email',
    callback_email               TEXT,
    enable_smart_service         BOOLEAN NOT NULL DEFAULT TRUE,
    service_confidence_threshold REAL    NOT NULL DEFAULT 0.8,
    enable_staff_preferences     BOOLEAN NOT NULL DEFAULT TRUE,
    staff_confidence_threshold   REAL    NOT NULL DEFAULT 0.8,
    cancellation_hours           INTEGER NOT NULL DEFAULT 0,
    created_at                   INTEGER NOT NULL,
    updated_at                   INTEGER NOT NULL
);

CREATE TABLE company_greetings (
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('default', 'returning_customer', 'personalized_with_service', 'after_hours')),
    template   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (company_id, kind)
);

CREATE TABLE branches (
    id               INTEGER PRIMARY KEY,
    company_id       INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    name_key         TEXT    NOT NULL,
    address          TEXT,
    phone            TEXT,
    email            TEXT,
    timezone         TEXT    NOT NULL,
    business_hours   TEXT    NOT NULL,
    notify_email     TEXT,
    notify_sms_phone TEXT,
    notify_whatsapp  TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (company_id, name_key)
);
CREATE INDEX branches_phone ON branches (phone);

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    company_id     INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id      INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    name_key       TEXT    NOT NULL,
    email          TEXT,
    email_key      TEXT,
    phone          TEXT,
    calcom_user_id INTEGER,
    working_hours  TEXT,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX staff_branch_email ON staff (branch_id, email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX staff_branch_name ON staff (branch_id, name_key) WHERE email_key IS NULL;
CREATE INDEX staff_company ON staff (company_id, branch_id);

CREATE TABLE services (
    id                   INTEGER PRIMARY KEY,
    company_id           INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id            INTEGER REFERENCES branches (id) ON DELETE CASCADE,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL,
    duration_min         INTEGER NOT NULL CHECK (duration_min > 0),
    price_cents          INTEGER,
    calcom_event_type_id INTEGER,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (company_id, name_key)
);
CREATE INDEX services_company_branch ON services (company_id, branch_id);

CREATE TABLE service_synonyms (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    synonym     TEXT    NOT NULL,
    synonym_key TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (service_id, synonym_key)
);
CREATE INDEX service_synonyms_company ON service_synonyms (company_id);

CREATE TABLE staff_services (
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, service_id)
);
CREATE INDEX staff_services_service ON staff_services (company_id, service_id);

CREATE TABLE agents (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id         INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    retell_agent_id   TEXT    NOT NULL UNIQUE,
    engine            TEXT    NOT NULL CHECK (engine IN ('conversation-flow', 'retell-llm')),
    engine_id         TEXT    NOT NULL,
    template          TEXT,
    template_version  TEXT,
    published_version INTEGER,
    deployed_hash     TEXT,
    voice_id          TEXT,
    language          TEXT    NOT NULL DEFAULT 'de-DE',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX agents_company ON agents (company_id, branch_id);

CREATE TABLE phone_numbers (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id  INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    agent_id   INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    number     TEXT    NOT NULL UNIQUE,
    provider   TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    phone      TEXT,
    name       TEXT,
    email      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_company_phone ON customers (company_id, phone) WHERE phone IS NOT NULL;

CREATE TABLE appointments (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id    INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    staff_id     INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    service_id   INTEGER REFERENCES services (id) ON DELETE SET NULL,
    customer_id  INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL CHECK (ends_at > starts_at),
    status       TEXT    NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'rescheduled')),
    backend      TEXT    NOT NULL DEFAULT 'local' CHECK (backend IN ('local', 'calcom')),
    external_uid TEXT,
    call_id      TEXT,
    notes        TEXT,
    cancel_reason TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX appointments_staff_time ON appointments (staff_id, starts_at);
CREATE INDEX appointments_branch_time ON appointments (company_id, branch_id, starts_at);
CREATE INDEX appointments_customer ON appointments (company_id, customer_id, starts_at);
CREATE UNIQUE INDEX appointments_external_uid ON appointments (company_id, external_uid) WHERE external_uid IS NOT NULL;

CREATE TABLE slot_holds (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id  INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    staff_id   INTEGER REFERENCES staff (id) ON DELETE CASCADE,
    service_id INTEGER REFERENCES services (id) ON DELETE CASCADE,
    call_id    TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    external_uid TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX slot_holds_staff_time ON slot_holds (staff_id, starts_at);
CREATE INDEX slot_holds_call ON slot_holds (company_id, call_id);

CREATE TABLE calls (
    id                   INTEGER PRIMARY KEY,
    company_id           INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id            INTEGER REFERENCES branches (id) ON DELETE SET NULL,
    retell_call_id       TEXT    NOT NULL UNIQUE,
    agent_id             TEXT,
    from_number          TEXT,
    to_number            TEXT,
    direction            TEXT,
    status               TEXT,
    started_at           INTEGER,
    ended_at             INTEGER,
    duration_ms          INTEGER,
    disconnection_reason TEXT,
    customer_id          INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    booked               BOOLEAN NOT NULL DEFAULT FALSE,
    service_predicted    BOOLEAN NOT NULL DEFAULT FALSE,
    summary              TEXT,
    sentiment            TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX calls_company_time ON calls (company_id, started_at);

CREATE TABLE webhook_events (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL CHECK (source IN ('retell', 'calcom')),
    event        TEXT    NOT NULL,
    external_id  TEXT,
    dedupe_key   TEXT    NOT NULL UNIQUE,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed', 'ignored')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX webhook_events_status ON webhook_events (status, received_at);

CREATE TABLE function_calls (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    call_id    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    args_hash  TEXT    NOT NULL,
    response   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (call_id, name, args_hash)
);
CREATE INDEX function_calls_company ON function_calls (company_id, created_at);

CREATE TABLE callback_requests (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id     INTEGER REFERENCES branches (id) ON DELETE SET NULL,
    call_id       TEXT,
    customer_name TEXT,
    phone         TEXT,
    reason        TEXT,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at    INTEGER NOT NULL,
    closed_at     INTEGER
);
CREATE INDEX callback_requests_company ON callback_requests (company_id, status, created_at);

CREATE TABLE notification_outbox (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'portal', 'webhook')),
    target      TEXT    NOT NULL,
    subject     TEXT,
    body        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
CREATE INDEX notification_outbox_status ON notification_outbox (status, created_at);

-- Installation-wide (not per business): one row.
CREATE TABLE alert_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    email                TEXT,
    webhook_url          TEXT,
    threshold_cpu        REAL,
    threshold_memory     REAL,
    threshold_disk       REAL,
    threshold_error_rate REAL,
    updated_at           INTEGER NOT NULL
);
