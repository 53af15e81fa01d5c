import { sql } from 'kysely';
import type { MigrationSet } from '../../kernel/index.ts';

/**
 * Tables of notifications, webhooks, the case event log, working-time milestones and
 * stream tickets (0450–0462, after the engine's own 0400–0402).
 */
/**
 * The open states as migrations 0454, 0455 and 0462 wrote them into the partial index of the
 * duplicate probe. Queries that must use that index repeat this list literally (a test checks it
 * still equals OPEN_STATES; a change of the states needs a new migration).
 */
export const OPEN_POINT_STATES = [
  'reported',
  'filed',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'extension_pending',
  'deferred',
  'parked',
] as const;
export const OPEN_POINT_STATES_SQL = OPEN_POINT_STATES.map((s) => `'${s}'`).join(', ');

/**
 * A case's place on the Mercator plane, as migration 0462 wrote it into the index of the
 * duplicate probe: x the longitude in radians, y = ln tan(π/4 + latitude/2), the latitude held
 * within ±85° (the logarithm of 0 at the pole would refuse the row). The projection is
 * conformal: around a point, distances on the plane are distances on the ground times one
 * factor (within 5·10⁻⁶ across a 50 m radius at 30°N), so nearest on the plane is nearest on
 * the ground. Queries that must use that index repeat this text literally.
 */
export const OPEN_CASE_PLACE_SQL =
  'point(radians(lon), ln(tan(pi() / 4 + radians(greatest(-85, least(85, lat))) / 2)))';
/**
 * A case's number as a point on the x axis, the second ordering key of that index: at the same
 * distance the lower number first, without reading the others at that distance. Numbers are
 * digits (`case-number.ts`), exact in a float8 up to 15 of them.
 */
export const OPEN_CASE_NUMBER_SQL = 'point(number::float8, 0)';

export const caseMigrations0450: MigrationSet = {
  '0450-cases-events': {
    async up(db) {
      // Every case event, written in the transaction of the change: the replay log of the
      // live stream (`Last-Event-ID` is `seq`) and the source of webhook deliveries.
      await db.schema
        .createTable('case_event')
        .addColumn('seq', 'bigserial', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        // The transition's action and target state, and the lead department it concerned
        // (after a dispatch, before a return): indicators count events by these.
        .addColumn('action', 'text')
        .addColumn('to_state', 'text')
        .addColumn('department', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index case_event_occurred on case_event (occurred_at)`.execute(db);
      await sql`create index case_event_action on case_event (action, occurred_at) where action is not null`.execute(
        db,
      );
      await sql`create index case_event_case on case_event (case_id, action)`.execute(db);

      // Working-time milestones of a case (first occurrence of each), averaged by indicators.
      await db.schema
        .createTable('case_timing')
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('milestone', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('working_minutes', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_timing_pk', ['case_id', 'milestone'])
        .execute();
      await sql`create index case_timing_at on case_timing (milestone, at)`.execute(db);
      await sql`create index case_record_handle_deadline on case_record (handle_deadline) where handle_deadline is not null`.execute(
        db,
      );
      await sql`create index case_history_case_action on case_history (case_id, action)`.execute(db);
    },
  },
  '0451-cases-notifications': {
    async up(db) {
      // Read marks per user: a notification addressed to a role in a department is shared.
      await db.schema
        .createTable('case_notification_read')
        .addColumn('notification_id', 'bigint', (c) => c.notNull().references('case_notification.id'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('read_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_notification_read_pk', ['notification_id', 'user_id'])
        .execute();
      await sql`create index case_notification_user on case_notification (recipient_user, id) where recipient_user is not null`.execute(
        db,
      );

      await db.schema
        .createTable('case_webhook')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'jsonb', (c) => c.notNull())
        .addColumn('description', 'text')
        // Kept in clear: signing needs it. Shown once at creation, never returned again.
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('deleted_at', 'timestamptz')
        .execute();

      await db.schema
        .createTable('case_webhook_delivery')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('case_webhook.id'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('response_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('log', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('next_attempt_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('delivered_at', 'timestamptz')
        .execute();
      await sql`create index case_webhook_delivery_hook on case_webhook_delivery (webhook_id, id desc)`.execute(
        db,
      );

      // Citizen updates sent through the adapter: one row per reporter and event, so a
      // retried job never sends twice what already went out.
      await db.schema
        .createTable('case_citizen_message')
        .addColumn('reporter_id', 'bigint', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('adapter', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_citizen_message_pk', ['reporter_id', 'event_id'])
        .execute();
    },
  },
  '0452-cases-stream': {
    async up(db) {
      await db.schema
        .createTable('case_stream_ticket')
        .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
        .addColumn('principal', 'jsonb', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
  '0453-cases-throughput': {
    async up(db) {
      // Group-committed intake probes the duplicate radius for a whole batch at once: a
      // latitude band of one category, longitude filtered in the index.
      await sql`create index case_record_nearby on case_record (category, lat, lon)`.execute(db);
    },
  },
  '0454-cases-nearby-gist': {
    async up(db) {
      // The duplicate probe as a nearest-neighbour search over open cases only: a GiST index
      // on an equirectangular point (longitude scaled by cos(latitude), so that degrees in
      // both axes are the same length), ordered by distance. A latitude band of the B-tree
      // above read every case of the band, thousands in a hot spot.
      await sql`create index case_record_open_point on case_record
        using gist (point(lon * cos(radians(lat)), lat))
        where state in (${sql.raw(OPEN_POINT_STATES_SQL)})`.execute(db);
      await sql`drop index case_record_nearby`.execute(db);
    },
  },
  '0455-cases-nearby-gist-degrees': {
    async up(db) {
      // 0454 scaled each case's longitude by the cosine of its own latitude; a probe box in
      // that space is sheared at longitudes far from 0 and missed true candidates. The index
      // is now on plain degrees (boxes are exact there); the probe orders the box's cases by
      // their local planar distance.
      await sql`drop index case_record_open_point`.execute(db);
      await sql`create index case_record_open_lonlat on case_record using gist (point(lon, lat))
        where state in (${sql.raw(OPEN_POINT_STATES_SQL)})`.execute(db);
    },
  },
  '0456-cases-append-only-children': {
    async up(db) {
      // A case is never deleted: it is a record of government work (merges and closures
      // change its state). The database now refuses deleting or truncating one, or changing
      // its id, so a row that names a case can never be left dangling...
      await sql`
        create function case_record_refuse_delete() returns trigger language plpgsql as $$
        begin
          raise exception 'case_record rows are never deleted and keep their id (a case is a record of government work)'
            using errcode = 'restrict_violation';
        end $$`.execute(db);
      await sql`
        create trigger case_record_no_delete before delete on case_record
        for each row execute function case_record_refuse_delete()`.execute(db);
      await sql`
        create trigger case_record_keep_id before update of id on case_record
        for each row when (old.id is distinct from new.id) execute function case_record_refuse_delete()`.execute(
        db,
      );
      await sql`
        create trigger case_record_no_truncate before truncate on case_record
        for each statement execute function case_record_refuse_delete()`.execute(db);
      // ...and the append-only rows the engine writes beside a case, in the transaction that
      // writes or locks the case, drop their foreign keys: each checked row cost a lookup
      // and a row lock on the case (about a fifth of intake's database time on PGlite).
      // Tables whose rows users create on their own (whistles, linkage, notifications) keep
      // theirs. `test/cases/case-integrity.test.ts` checks that no row is left without its case.
      for (const [table, column] of APPEND_ONLY_CASE_CHILDREN)
        await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.ref(`${table}_${column}_fkey`)}`.execute(
          db,
        );
    },
  },
  '0457-cases-indicator-reads': {
    async up(db) {
      // The indexes these replace go first, so that the backfill below does not update them
      // (it rewrites every event and milestone: minutes for a million cases, under a lock
      // that holds intake and transitions; CHANGELOG).
      await sql`drop index case_event_action`.execute(db);
      await sql`drop index case_timing_at`.execute(db);
      // Events and milestones carry their case's place (grid, or district without a grid),
      // district, category and channel, copied when written (none of them changes after
      // intake): the indicators filter and group them without reading a case row for each
      // (about 170,000 events and 410,000 milestones in 30 days of a city with a million
      // cases a year; the joins' cost: docs/benchmarks-log.md, 2026-11-29 02:11).
      for (const table of ['case_event', 'case_timing']) {
        await sql`alter table ${sql.table(table)}
          add column place text, add column district_code text, add column category text,
          add column channel text`.execute(db);
        await sql`update ${sql.table(table)} x
          set place = coalesce(c.grid_code, c.district_code), district_code = c.district_code,
              category = c.category, channel = c.channel
          from case_record c where c.id = x.case_id`.execute(db);
      }
      // Milestones are asked about by the case's current lead department: they carry it too,
      // written with the milestone and kept equal by a trigger when a case changes hands
      // (a dispatch sets it, a return clears it), so that no question joins the case. The
      // function keeps the schema it was made in, whatever the search path of the session.
      await sql`alter table case_timing add column lead_department text`.execute(db);
      await sql`update case_timing t set lead_department = c.lead_department
        from case_record c where c.id = t.case_id`.execute(db);
      await sql`
        create function case_timing_follow_lead() returns trigger language plpgsql
        set search_path from current as $$
        begin
          update case_timing set lead_department = new.lead_department where case_id = new.id;
          return null;
        end $$`.execute(db);
      await sql`
        create trigger case_record_lead_to_timing after update of lead_department on case_record
        for each row when (old.lead_department is distinct from new.lead_department)
        execute function case_timing_follow_lead()`.execute(db);
      // The rework and extension rates ask, for each case handled or dispatched in a period,
      // whether it was ever verified as failed or granted an extension: two small sets (a few
      // per cent of the cases), read whole through these partial indexes and joined by hash.
      await sql`create index case_event_rework on case_event (case_id)
        where action = 'verify' and to_state = 'rework'`.execute(db);
      await sql`create index case_history_extension on case_history (case_id)
        where action = 'decide-extension' and (params->>'approve') = 'true'`.execute(db);
      // Each indicator query reads only an index (an index-only scan once autovacuum, or the
      // embedded maintenance, has marked the pages all-visible), never the wide rows: the
      // events that count (not their bodies), the milestones with their minutes, and each
      // case's first filing round.
      await sql`create index case_event_indicator on case_event (occurred_at)
        include (case_id, action, department, place, district_code, category, channel)
        where action in ('handle', 'dispatch', 'return')`.execute(db);
      await sql`create index case_timing_minutes on case_timing (milestone, at)
        include (working_minutes, place, district_code, category, channel, lead_department)`.execute(db);
      await sql`create index case_stage_first_filing on case_stage (case_id) include (ended_at, deadline)
        where stage = 'file' and round = 1`.execute(db);
    },
  },
  '0458-cases-lead-follow-per-statement': {
    async up(db) {
      // 0457's row trigger ran once per case that changed hands (an update of the case's
      // milestones through PL/pgSQL): on PostgreSQL the largest part of a dispatch batch's
      // case update (docs/benchmarks-log.md, 2026-11-29 04:58). Once per statement, with
      // the statement's old and new rows as transition tables, it is one set-based update.
      // A column list (`update of lead_department`) cannot go with transition tables, so the
      // trigger fires on every update of case_record; it first looks, in the two transition
      // tables alone, whether a lead changed, and returns if none did (on PGlite a one-case
      // update paid far more when it always ran the update; same log entry).
      // EXECUTE plans the
      // update for each statement's row count: a plan cached from a bulk update (a hash join
      // over every milestone) would stay for every batch after.
      await sql`drop trigger case_record_lead_to_timing on case_record`.execute(db);
      await sql`drop function case_timing_follow_lead()`.execute(db);
      await sql`
        create function case_timing_follow_leads() returns trigger language plpgsql
        set search_path from current as $$
        begin
          if not exists (select from case_lead_after n join case_lead_before o on o.id = n.id
                         where o.lead_department is distinct from n.lead_department) then
            return null;
          end if;
          execute 'update case_timing t set lead_department = n.lead_department
            from case_lead_after n join case_lead_before o on o.id = n.id
            where t.case_id = n.id and o.lead_department is distinct from n.lead_department';
          return null;
        end $$`.execute(db);
      await sql`
        create trigger case_record_leads_to_timing after update on case_record
        referencing old table as case_lead_before new table as case_lead_after
        for each statement execute function case_timing_follow_leads()`.execute(db);
    },
  },
  '0459-cases-duplicate-number': {
    async up(db) {
      // A case's answer lists its duplicate candidates with their numbers. Read through
      // case_record, that was one index lookup per candidate on every answer (a batch of 50
      // transitions with five candidates each: 250 lookups; docs/benchmarks-log.md,
      // 2026-11-29 04:58). Numbers
      // never change, so each candidate row keeps its number from when it was written.
      await sql`alter table case_duplicate add column candidate_number text`.execute(db);
      await sql`update case_duplicate d set candidate_number = c.number
        from case_record c where c.id = d.candidate_id`.execute(db);
      // Cases are never deleted (0456), so every candidate had a number to copy.
      await sql`alter table case_duplicate alter column candidate_number set not null`.execute(db);
    },
  },
  '0460-cases-unread-indexes': {
    async up(db) {
      // Indexes nothing reads any more, written on every transition: the events by time and by
      // case (the indicators read case_event_indicator and case_event_rework since 0457, the
      // live stream reads by seq) and the history by action and by case and action (a case's
      // history is read through case_history_case; the simulator's closing counts by action
      // read the table once). Each was an index entry per event or history row, written in
      // every transition batch (their cost on PGlite: docs/benchmarks-log.md, 2026-11-29 10:19).
      for (const index of [
        'case_event_occurred',
        'case_event_case',
        'case_history_action',
        'case_history_case_action',
      ])
        await sql`drop index if exists ${sql.ref(index)}`.execute(db);
    },
  },
  '0461-cases-stream-ticket-credential': {
    async up(db) {
      // A ticket names the session or API key it was issued under instead of a copy of the
      // principal, so that logging out or revoking the key also ends what the ticket opens.
      // Tickets live 60 s: the few outstanding ones are dropped, their clients ask again.
      await sql`delete from case_stream_ticket`.execute(db);
      await sql`alter table case_stream_ticket drop column principal`.execute(db);
      await sql`alter table case_stream_ticket add column session_id text`.execute(db);
      await sql`alter table case_stream_ticket add column api_key_id text`.execute(db);
      await sql`alter table case_stream_ticket add constraint case_stream_ticket_credential
        check ((session_id is null) <> (api_key_id is null))`.execute(db);
    },
  },
  '0462-cases-open-nearest': {
    async up(db) {
      // The duplicate probe read every open case in its radius's box and sorted them: a hot
      // spot (a flooded street, 12,000 open reports at one point) made every new report's
      // probe read all of them, and immediate Open311 intake fell as the pile grew
      // (docs/benchmarks-log.md, 2026-12-07). Now one GiST index answers the probe as a nearest-neighbour walk
      // that stops after the candidates kept: the category and the reported time as index
      // conditions (btree_gist), ordered by distance on the Mercator plane, then by number.
      // btree_gist comes with PostgreSQL (contrib, trusted: a database owner may create it)
      // and with PGlite (loaded by storage.ts). Kysely's migration lock is one for the whole
      // database, so migrations of several schemas never create it at the same time.
      await sql`create extension if not exists btree_gist`.execute(db);
      await sql`create index case_record_open_nearest on case_record using gist (
          category, (${sql.raw(OPEN_CASE_PLACE_SQL)}), (${sql.raw(OPEN_CASE_NUMBER_SQL)}), reported_at)
        where state in (${sql.raw(OPEN_POINT_STATES_SQL)})`.execute(db);
      await sql`drop index case_record_open_lonlat`.execute(db);
    },
  },
};

/** Rows written beside a case whose foreign keys 0456 dropped: table and the column naming the case. */
export const APPEND_ONLY_CASE_CHILDREN = [
  ['case_history', 'case_id'],
  ['case_reporter', 'case_id'],
  ['case_duplicate', 'case_id'],
  ['case_duplicate', 'candidate_id'],
  ['case_stage', 'case_id'],
  ['case_timing', 'case_id'],
] as const;
