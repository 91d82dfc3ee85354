import { randomUUID } from 'node:crypto'
import { domainToASCII } from 'node:url'
import type BetterSqlite3 from 'better-sqlite3'

/**
 * Every migration the app knows, in order. Listed in code because a bundled app cannot read a
 * folder at run time. Forward only, and frozen once shipped: change the schema by adding one.
 * The database's version is `PRAGMA user_version` = the number of migrations applied.
 */
export interface Migration {
  name: string
  up(db: BetterSqlite3.Database): void
}

/**
 * A user's name sort key and search text as SQL, exactly as migration 5 indexes them: a query
 * must spell an expression the same way for SQLite to read it from the index. Frozen with it.
 */
export const SORT_KEY_SQL = `coalesce(nullif(lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))), ''), email_key)`
export const SEARCH_TEXT_SQL = `lower(char(1) || coalesce(nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''), email_key) || ' ' || email || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '') || '  ')`

export const migrations: readonly Migration[] = [
  {
    name: '2026-11-27-1-roles-users-settings-activity',
    up(db) {
      db.exec(`
        CREATE TABLE roles (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
          name_key TEXT NOT NULL UNIQUE,
          icon TEXT NOT NULL DEFAULT 'supervised_user_circle',
          description TEXT CHECK (description IS NULL OR length(description) <= 2000),
          admin_access INTEGER NOT NULL DEFAULT 0 CHECK (admin_access IN (0, 1)),
          app_access INTEGER NOT NULL DEFAULT 1 CHECK (app_access IN (0, 1)),
          ip_access TEXT NOT NULL DEFAULT '[]',
          enforce_tfa INTEGER NOT NULL DEFAULT 0 CHECK (enforce_tfa IN (0, 1)),
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE users (
          rowid INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
          email_key TEXT NOT NULL UNIQUE,
          first_name TEXT CHECK (first_name IS NULL OR length(first_name) <= 50),
          last_name TEXT CHECK (last_name IS NULL OR length(last_name) <= 50),
          status TEXT NOT NULL CHECK (status IN ('draft', 'invited', 'active', 'suspended', 'archived')),
          role_id TEXT REFERENCES roles (id) ON DELETE RESTRICT,
          password_hash TEXT,
          title TEXT,
          location TEXT,
          description TEXT,
          tags TEXT NOT NULL DEFAULT '[]',
          invited_at TEXT,
          invite_expires_at TEXT,
          invite_nonce TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          last_changed_by TEXT,
          sort_name TEXT NOT NULL GENERATED ALWAYS AS (
            coalesce(nullif(lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))), ''), email_key)
          ) VIRTUAL
        ) STRICT;

        -- A role's members in name order (the role page), and per-role lookups.
        CREATE INDEX users_role_name ON users (role_id, sort_name, id);
        CREATE INDEX users_role_email ON users (role_id, email_key);
        CREATE INDEX users_role_status ON users (role_id, status);
        -- The directory's sort orders (keyset paging on (value, id)).
        CREATE INDEX users_name ON users (sort_name, id);
        CREATE INDEX users_status_name ON users (status, sort_name, id);
        CREATE INDEX users_created ON users (created_at, id);
        CREATE INDEX users_invite_expiry ON users (invite_expires_at, id) WHERE invite_expires_at IS NOT NULL;

        CREATE TABLE settings (
          key TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE activity (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          collection TEXT NOT NULL CHECK (collection IN ('roles', 'users', 'settings')),
          record_ids TEXT NOT NULL,
          summary TEXT NOT NULL,
          before TEXT,
          after TEXT
        ) STRICT;
        CREATE INDEX activity_collection ON activity (collection, id);
        CREATE INDEX activity_action ON activity (action, id);

        CREATE TABLE activity_records (
          activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
          record_id TEXT NOT NULL,
          PRIMARY KEY (record_id, activity_id)
        ) STRICT, WITHOUT ROWID;
      `)
    }
  },
  {
    name: '2026-11-27-2-search-index-and-member-counts',
    up(db) {
      db.exec(`
        -- Substring search over email and names: a trigram index, not a LIKE scan.
        CREATE VIRTUAL TABLE users_search USING fts5 (
          email, first_name, last_name,
          content = 'users', content_rowid = 'rowid', tokenize = 'trigram'
        );
        INSERT INTO users_search (users_search) VALUES ('rebuild');

        CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
          INSERT INTO users_search (rowid, email, first_name, last_name)
          VALUES (new.rowid, new.email, new.first_name, new.last_name);
        END;
        CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
          INSERT INTO users_search (users_search, rowid, email, first_name, last_name)
          VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name);
        END;
        CREATE TRIGGER users_search_update AFTER UPDATE OF email, first_name, last_name ON users BEGIN
          INSERT INTO users_search (users_search, rowid, email, first_name, last_name)
          VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name);
          INSERT INTO users_search (rowid, email, first_name, last_name)
          VALUES (new.rowid, new.email, new.first_name, new.last_name);
        END;

        CREATE TABLE user_counts (
          role_key TEXT NOT NULL,
          status TEXT NOT NULL,
          n INTEGER NOT NULL,
          PRIMARY KEY (role_key, status)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO user_counts (role_key, status, n)
          SELECT coalesce(role_id, ''), status, count(*) FROM users GROUP BY 1, 2;

        CREATE TRIGGER user_counts_insert AFTER INSERT ON users BEGIN
          INSERT INTO user_counts (role_key, status, n) VALUES (coalesce(new.role_id, ''), new.status, 1)
            ON CONFLICT (role_key, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER user_counts_delete AFTER DELETE ON users BEGIN
          UPDATE user_counts SET n = n - 1 WHERE role_key = coalesce(old.role_id, '') AND status = old.status;
        END;
        CREATE TRIGGER user_counts_update AFTER UPDATE OF role_id, status ON users
        WHEN old.role_id IS NOT new.role_id OR old.status IS NOT new.status BEGIN
          UPDATE user_counts SET n = n - 1 WHERE role_key = coalesce(old.role_id, '') AND status = old.status;
          INSERT INTO user_counts (role_key, status, n) VALUES (coalesce(new.role_id, ''), new.status, 1)
            ON CONFLICT (role_key, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER user_counts_role_delete AFTER DELETE ON roles BEGIN
          DELETE FROM user_counts WHERE role_key = old.id;
        END;
      `)
    }
  },
  {
    name: '2026-11-27-3-role-invites-index-and-search-trigger',
    up(db) {
      // Counts per role and status come from user_counts, so (role_id, status) only served a
      // role's pending invites, yet every member moved between roles rewrote an entry in it.
      // A partial index over invited users serves that listing (in rowid order) at a fraction
      // of the cost.
      db.exec(`
        DROP INDEX IF EXISTS users_role_status;
        CREATE INDEX users_role_invites ON users (role_id) WHERE status = 'invited';
      `)
      // Re-index a user's search text only when it really changed: an edit or import that
      // rewrites the names with the same values should not pay for the trigram index.
      db.exec(`
        DROP TRIGGER users_search_update;
        CREATE TRIGGER users_search_update AFTER UPDATE OF email, first_name, last_name ON users
        WHEN old.email IS NOT new.email OR old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
        BEGIN
          INSERT INTO users_search (users_search, rowid, email, first_name, last_name)
          VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name);
          INSERT INTO users_search (rowid, email, first_name, last_name)
          VALUES (new.rowid, new.email, new.first_name, new.last_name);
        END;
      `)
    }
  },
  {
    name: '2026-12-01-4-directory-issuer-and-invite-token-cache',
    up(db) {
      // The directory's own id, made once: every invite token names it as its issuer (`iss`).
      // token_cache_kid: the key the cached signatures were sealed under (invite-token-cache.ts).
      db.exec(`
        CREATE TABLE directory (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          issuer TEXT NOT NULL,
          token_cache_kid TEXT
        ) STRICT;
      `)
      db.prepare('INSERT INTO directory (id, issuer) VALUES (1, ?)').run(`urn:rolekeeper:${randomUUID()}`)
      // A pending invite's signature, sealed under a key derived from the signing key (which is
      // not in the database). Any change to what the token says clears it, unless the same
      // statement writes a new one.
      db.exec(`
        ALTER TABLE users ADD COLUMN invite_token_seal BLOB;
        CREATE TRIGGER users_invite_token_stale
        AFTER UPDATE OF email, role_id, status, invite_nonce, invited_at, invite_expires_at ON users
        WHEN new.invite_token_seal IS NOT NULL AND new.invite_token_seal IS old.invite_token_seal AND (
          old.email IS NOT new.email OR old.role_id IS NOT new.role_id OR old.status IS NOT new.status
          OR old.invite_nonce IS NOT new.invite_nonce OR old.invited_at IS NOT new.invited_at
          OR old.invite_expires_at IS NOT new.invite_expires_at)
        BEGIN
          UPDATE users SET invite_token_seal = NULL WHERE rowid = new.rowid;
        END;
      `)
    }
  },
  {
    name: '2026-12-01-5-one-search-rule-and-covering-name-indexes',
    up(db) {
      // One rule for every query length: each word is a substring of the user's search text
      // (address, first and last name). The text is lower-cased by SQLite (letters A–Z), so the
      // trigram index, tested case-sensitively on it, and instr() on a row agree exactly. It
      // ends in two spaces, so every character begins a trigram: a one- or two-character word
      // is found through the trigrams that begin with it. It starts with the name sort key
      // behind a character nobody types (U+0001), so "\u0001olga" finds the users whose key
      // begins with "olga", one range of the name order, in the index.
      db.exec(`
        ALTER TABLE users ADD COLUMN search_text TEXT GENERATED ALWAYS AS (${SEARCH_TEXT_SQL}) VIRTUAL;

        DROP TRIGGER users_search_insert;
        DROP TRIGGER users_search_delete;
        DROP TRIGGER users_search_update;
        DROP TABLE users_search;
        CREATE VIRTUAL TABLE users_search USING fts5 (
          search_text, content = 'users', content_rowid = 'rowid', tokenize = 'trigram case_sensitive 1'
        );
        INSERT INTO users_search (users_search) VALUES ('rebuild');
        CREATE VIRTUAL TABLE users_search_terms USING fts5vocab (users_search, 'row');

        CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
          INSERT INTO users_search (rowid, search_text) VALUES (new.rowid, new.search_text);
        END;
        CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
          INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
        END;
        CREATE TRIGGER users_search_update AFTER UPDATE OF email, first_name, last_name ON users
        WHEN old.search_text IS NOT new.search_text
        BEGIN
          INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
          INSERT INTO users_search (rowid, search_text) VALUES (new.rowid, new.search_text);
        END;

        -- The name orders carry the search text, so a search that walks them tests each entry
        -- in the index and reads a row only for the page it returns. They are written on the
        -- expressions, not the generated columns: SQLite reads an indexed expression back from
        -- the index, a generated column it recomputes from the row.
        DROP INDEX users_role_name;
        CREATE INDEX users_role_name ON users (role_id, ${SORT_KEY_SQL}, id, ${SEARCH_TEXT_SQL});
        DROP INDEX users_name;
        CREATE INDEX users_name ON users (${SORT_KEY_SQL}, id, ${SEARCH_TEXT_SQL});
        DROP INDEX users_status_name;
        CREATE INDEX users_status_name ON users (status, ${SORT_KEY_SQL}, id);
      `)
    }
  },
  {
    name: '2026-12-01-6-email-keys-in-nfc-without-invisible-characters',
    up(db) {
      // Addresses written before every path stripped invisible characters and keyed on NFC could
      // hold a look-alike of another user's address under a different key. Only non-ASCII
      // addresses can change. A frozen copy of the rule: this migration must not follow later edits.
      const cleaned = (email: string): string =>
        email
          .replace(/[\p{Cf}\u180e]/gu, '')
          .normalize('NFC')
          .trim()
      const keyOf = (email: string): string | null => {
        const at = email.lastIndexOf('@')
        const domain = at < 1 ? '' : domainToASCII(email.slice(at + 1))
        return domain === '' ? null : `${email.slice(0, at).toLowerCase().normalize('NFC')}@${domain.toLowerCase()}`
      }
      const candidates = db
        .prepare<[], { rowid: number; id: string; email: string; email_key: string }>(
          "SELECT rowid, id, email, email_key FROM users WHERE email GLOB '*[^ -~]*' ORDER BY rowid"
        )
        .all()
      const taken = db.prepare<[string, number], { id: string; email: string }>(
        'SELECT id, email FROM users WHERE email_key = ? AND rowid != ?'
      )
      const update = db.prepare('UPDATE users SET email = ?, email_key = ? WHERE rowid = ?')
      const changed: Array<{ id: string; before: string; after: string }> = []
      const clashes: Array<{ id: string; email: string; sameAs: string }> = []
      for (const row of candidates) {
        const email = cleaned(row.email)
        const key = keyOf(email)
        if (key === null || (email === row.email && key === row.email_key)) continue
        const other = taken.get(key, row.rowid)
        if (other) {
          // Two users already share this address in all but spelling: left for the admin to merge.
          clashes.push({ id: row.id, email: row.email, sameAs: other.email })
          continue
        }
        update.run(email, key, row.rowid)
        changed.push({ id: row.id, before: row.email, after: email })
      }
      if (changed.length === 0 && clashes.length === 0) return
      const summary =
        `Normalised ${changed.length} email address${changed.length === 1 ? '' : 'es'} (Unicode NFC, invisible characters removed)` +
        (clashes.length > 0
          ? `; ${clashes.length} left as ${clashes.length === 1 ? 'it was' : 'they were'}: the same address as another user (${clashes
              .slice(0, 5)
              .map((clash) => clash.email)
              .join(', ')}${clashes.length > 5 ? ', …' : ''})`
          : '')
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO activity (at, actor, action, collection, record_ids, summary, before, after)
           VALUES (?, 'Rolekeeper', 'user.normalise_emails', 'users', ?, ?, ?, ?)`
        )
        .run(
          new Date().toISOString(),
          JSON.stringify([...changed.map((user) => user.id), ...clashes.map((clash) => clash.id)]),
          summary,
          JSON.stringify({ emails: changed.map((user) => ({ id: user.id, email: user.before })) }),
          JSON.stringify({ emails: changed.map((user) => ({ id: user.id, email: user.after })), sameAsAnother: clashes })
        )
      db.prepare('INSERT OR IGNORE INTO activity_records (activity_id, record_id) SELECT ?, value FROM json_each(?)').run(
        lastInsertRowid,
        JSON.stringify([...changed.map((user) => user.id), ...clashes.map((clash) => clash.id)])
      )
    }
  },
  {
    name: '2026-12-03-7-role-indexes-file-users-under-indexed-role-id',
    up(db) {
      // A change set moves thousands of members at once, and every index that begins with the
      // role costs a random page per moved member (about 1 s for 20,000 at 1,000,000 users). So
      // those indexes file users under a copy of the role, `indexed_role_id`: a change set writes
      // `role_id` alone, and the copy catches up in the background in small slices
      // (core/role-index.ts). A user whose copy trails sits in users_role_lag, and reads of a role
      // count them in until then.
      db.exec(`
        ALTER TABLE users ADD COLUMN indexed_role_id TEXT;
        UPDATE users SET indexed_role_id = role_id WHERE role_id IS NOT NULL;
        DROP INDEX users_role_name;
        DROP INDEX users_role_email;
        DROP INDEX users_role_invites;
        CREATE INDEX users_role_name ON users (indexed_role_id, ${SORT_KEY_SQL}, id, ${SEARCH_TEXT_SQL});
        CREATE INDEX users_role_email ON users (indexed_role_id, email_key);
        CREATE INDEX users_role_invites ON users (indexed_role_id) WHERE status = 'invited';
        CREATE INDEX users_role_lag ON users (role_id) WHERE role_id IS NOT indexed_role_id;
      `)
    }
  },
  {
    name: '2026-12-04-8-user-counts-held-for-a-change-set',
    up(db) {
      // The trigger keeps user_counts row by row: two statements per moved member, 15–20 ms of a
      // change set of 20,000 at 1,000,000 users. A change set knows every member's role and
      // status before it moves them, so it holds the trigger off (a row in user_counts_held,
      // inside its own transaction, so no other connection ever sees it) and adds up the counts
      // itself, once per role and status, in one statement (core/changeset.ts).
      db.exec(`
        CREATE TABLE user_counts_held (held INTEGER PRIMARY KEY CHECK (held = 1)) STRICT;
        DROP TRIGGER user_counts_update;
        CREATE TRIGGER user_counts_update AFTER UPDATE OF role_id, status ON users
        WHEN (old.role_id IS NOT new.role_id OR old.status IS NOT new.status) AND NOT EXISTS (SELECT 1 FROM user_counts_held)
        BEGIN
          UPDATE user_counts SET n = n - 1 WHERE role_key = coalesce(old.role_id, '') AND status = old.status;
          INSERT INTO user_counts (role_key, status, n) VALUES (coalesce(new.role_id, ''), new.status, 1)
            ON CONFLICT (role_key, status) DO UPDATE SET n = n + 1;
        END;
      `)
    }
  }
]

export const LATEST_VERSION = migrations.length
