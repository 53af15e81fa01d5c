/**
 * Named prepared statements on PGlite. PGlite's `query` sends every statement unnamed, so
 * the database parses, analyses and plans it on every run: for a group-committed batch's
 * large statements (CTEs of several inserts over JSON, the duplicate probe, the outbox) that
 * is about a millisecond of each batch. This dialect sends a statement that `nameOf` names
 * (storage.ts: a text seen a few times, at most a few hundred) through the wire protocol as
 * a named statement: Parse and Describe once, then Bind and Execute by name, in one message
 * with its Sync. Everything else goes through PGlite's `query` as before.
 *
 * It keeps PGlite's own order: a statement runs under PGlite's query lock, and outside a
 * transaction also under its transaction lock (as `query` does), so it never runs inside
 * another caller's transaction. Parameters are serialized by the types the database
 * described, values are parsed by PGlite's parsers, and errors are PGlite's `DatabaseError`s.
 */
import { type PGlite, parse, protocol } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  PGliteDialect,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** A statement's name, or null to send it unnamed (storage.ts `preparedStatementNames`). */
export type StatementNamer = (text: string) => string | null;

/** PGlite behind Kysely, with hot statements prepared by name. */
export class PreparingPGliteDialect extends PGliteDialect {
  readonly #pglite: PGlite;
  readonly #nameOf: StatementNamer;

  constructor(pglite: PGlite, nameOf: StatementNamer) {
    super({ pglite });
    this.#pglite = pglite;
    this.#nameOf = nameOf;
  }

  override createDriver(): Driver {
    return new PreparingDriver(super.createDriver(), this.#pglite, this.#nameOf);
  }
}

/** What the database said of a prepared statement: its parameters' types. */
interface Prepared {
  paramTypes: number[];
}

/** The one PGlite connection, wrapped: hot statements by name, the rest as before. */
class PreparingConnection implements DatabaseConnection {
  inTransaction = false;
  readonly #prepared = new Map<string, Prepared>();
  /** Texts PGlite refused to prepare: sent unnamed from then on. */
  readonly #refused = new Set<string>();

  constructor(
    readonly inner: DatabaseConnection,
    private readonly pglite: PGlite,
    private readonly nameOf: StatementNamer,
  ) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const name = this.#refused.has(compiled.sql) ? null : this.nameOf(compiled.sql);
    if (!name) return this.inner.executeQuery<R>(compiled);
    const run = () => this.pglite._runExclusiveQuery(() => this.#runNamed<R>(name, compiled));
    // Outside a transaction PGlite's `query` also waits for any open transaction to end.
    return this.inTransaction ? run() : this.pglite._runExclusiveTransaction(run);
  }

  async #runNamed<R>(name: string, compiled: CompiledQuery, again = false): Promise<QueryResult<R>> {
    let prepared = this.#prepared.get(name);
    if (!prepared) {
      prepared = await this.#prepare(name, compiled.sql);
      this.#prepared.set(name, prepared);
    }
    try {
      return await this.#execute<R>(name, prepared, compiled);
    } catch (error) {
      // The session lost the statement (DEALLOCATE, DISCARD ALL): prepared again, once.
      if (codeOf(error) !== '26000' || again) throw error;
      this.#prepared.delete(name);
      return this.#runNamed<R>(name, compiled, true);
    }
  }

  /** Parses the statement under its name and asks for its parameters' types. */
  async #prepare(name: string, text: string): Promise<Prepared> {
    const describe = [protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()];
    let described: Awaited<ReturnType<PGlite['execProtocolStream']>>;
    try {
      described = await this.pglite.execProtocolStream(
        concat([protocol.serialize.parse({ name, text }), ...describe]),
        { syncToFs: false },
      );
    } catch (error) {
      const code = codeOf(error);
      // Already prepared in this session (by an earlier life of this map): only describe it.
      if (code === '42P05')
        described = await this.pglite.execProtocolStream(concat(describe), { syncToFs: false });
      else {
        // Not preparable as a named statement: from then on the text runs unnamed, where it
        // fails (or not) exactly as it always did. An aborted transaction says nothing of the text.
        if (code !== '25P02') this.#refused.add(text);
        throw error;
      }
    }
    return { paramTypes: parse.parseDescribeStatementResults(described) };
  }

  async #execute<R>(name: string, prepared: Prepared, compiled: CompiledQuery): Promise<QueryResult<R>> {
    const pg = this.pglite;
    const values = compiled.parameters.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serialize = pg.serializers[prepared.paramTypes[i]];
      return serialize ? serialize(value) : String(value);
    });
    const messages = await pg.execProtocolStream(
      concat([
        protocol.serialize.bind({ statement: name, values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
    if (!this.inTransaction) await pg.syncToFs();
    const [result] = parse.parseResults(messages, pg.parsers, { rowMode: 'object' });
    return {
      numAffectedRows: result?.affectedRows != null ? BigInt(result.affectedRows) : undefined,
      rows: (result?.rows ?? []) as R[],
    };
  }

  streamQuery<R>(compiled: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiled, chunkSize);
  }
}

/** A database error's SQLSTATE. */
const codeOf = (error: unknown): string | undefined => (error as { code?: string } | null)?.code;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The PGlite driver, handing out the wrapped connection and unwrapping it for its own calls. */
class PreparingDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, PreparingConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly pglite: PGlite,
    private readonly nameOf: StatementNamer,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      wrapped = new PreparingConnection(connection, this.pglite, this.nameOf);
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as PreparingConnection;
    await this.inner.beginTransaction(c.inner, settings);
    c.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PreparingConnection;
    try {
      await this.inner.commitTransaction(c.inner);
    } finally {
      c.inTransaction = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PreparingConnection;
    try {
      await this.inner.rollbackTransaction(c.inner);
    } finally {
      c.inTransaction = false;
    }
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ) {
    return this.inner.savepoint!((connection as PreparingConnection).inner, name, compile);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ) {
    return this.inner.rollbackToSavepoint!((connection as PreparingConnection).inner, name, compile);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ) {
    return this.inner.releaseSavepoint!((connection as PreparingConnection).inner, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as PreparingConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
