-- The schema every integration case starts from (psql -v rows=N).
-- users has no foreign key, no soft-delete column and no index but its
-- primary key: the templates and patterns add those.
CREATE TABLE tenants (
	id bigint PRIMARY KEY,
	name text NOT NULL
);
INSERT INTO tenants SELECT g, 'tenant ' || g FROM generate_series(1, 100) g;

CREATE TABLE users (
	id bigserial PRIMARY KEY,
	tenant_id bigint NOT NULL,
	email text NOT NULL,
	name text,
	status text NOT NULL DEFAULT 'active',
	score integer,
	legacy_note text,
	counter integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO users (tenant_id, email, name, status, score, legacy_note, created_at)
SELECT g % 100 + 1,
       'user' || g || '@example.com',
       CASE WHEN g % 50 = 0 THEN NULL ELSE 'User ' || g END,
       (ARRAY['active', 'invited', 'disabled'])[g % 3 + 1],
       CASE WHEN g % 40 = 0 THEN NULL ELSE g END,
       'note ' || g,
       timestamptz '2024-01-01' + g * interval '1 minute'
FROM generate_series(1, :rows) g;
VACUUM ANALYZE tenants;
VACUUM ANALYZE users;

-- Keys of other types for the backfill loop (its parameter takes the key's
-- type: integer, uuid, text; users has bigint).
CREATE TABLE k_int (id integer PRIMARY KEY, v text);
INSERT INTO k_int SELECT g, NULL FROM generate_series(1, 3000) g;
CREATE TABLE k_uuid (id uuid PRIMARY KEY, v text);
INSERT INTO k_uuid SELECT gen_random_uuid(), NULL FROM generate_series(1, 3000);
CREATE TABLE k_text (code text PRIMARY KEY, v text);
INSERT INTO k_text SELECT 'code-' || g, NULL FROM generate_series(1, 3000) g;
VACUUM ANALYZE k_int;
VACUUM ANALYZE k_uuid;
VACUUM ANALYZE k_text;
