// Django's own tables that refer to a user, made with the DDL Django 3.2 (and DRF 3.14's
// authtoken) leaves after `migrate` on each database (`sqlmigrate` of auth, admin, contenttypes
// and authtoken, with the later migrations' column lengths), plus an app's table, `shop_order`,
// as Django would make it for `ForeignKey(User, on_delete=PROTECT)`. `auth_user` is tessera's.
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import pg from 'pg';

export type Kind = 'sqlite' | 'postgres' | 'mysql';

/** Django's and DRF's tables, in an order each one's keys can be made in. */
export const DJANGO_DDL: Readonly<Record<Kind, readonly string[]>> = {
  // SQLite: sqlite_master after `manage.py migrate`; Django makes every key DEFERRABLE.
  sqlite: [
    'CREATE TABLE "django_content_type" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app_label" varchar(100) NOT NULL, "model" varchar(100) NOT NULL)',
    'CREATE UNIQUE INDEX "django_content_type_app_label_model_76bd3d3b_uniq" ON "django_content_type" ("app_label", "model")',
    'CREATE TABLE "auth_permission" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "content_type_id" integer NOT NULL REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED, "codename" varchar(100) NOT NULL, "name" varchar(255) NOT NULL)',
    'CREATE UNIQUE INDEX "auth_permission_content_type_id_codename_01ab375a_uniq" ON "auth_permission" ("content_type_id", "codename")',
    'CREATE INDEX "auth_permission_content_type_id_2f476e4b" ON "auth_permission" ("content_type_id")',
    'CREATE TABLE "auth_group" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(150) NOT NULL UNIQUE)',
    'CREATE TABLE "auth_user_groups" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "group_id" integer NOT NULL REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED)',
    'CREATE UNIQUE INDEX "auth_user_groups_user_id_group_id_94350c0c_uniq" ON "auth_user_groups" ("user_id", "group_id")',
    'CREATE INDEX "auth_user_groups_user_id_6a12ed8b" ON "auth_user_groups" ("user_id")',
    'CREATE INDEX "auth_user_groups_group_id_97559544" ON "auth_user_groups" ("group_id")',
    'CREATE TABLE "auth_user_user_permissions" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "permission_id" integer NOT NULL REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED)',
    'CREATE UNIQUE INDEX "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq" ON "auth_user_user_permissions" ("user_id", "permission_id")',
    'CREATE INDEX "auth_user_user_permissions_user_id_a95ead1b" ON "auth_user_user_permissions" ("user_id")',
    'CREATE INDEX "auth_user_user_permissions_permission_id_1fbb5f2c" ON "auth_user_user_permissions" ("permission_id")',
    'CREATE TABLE "django_admin_log" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "action_time" datetime NOT NULL, "object_id" text NULL, "object_repr" varchar(200) NOT NULL, "change_message" text NOT NULL, "content_type_id" integer NULL REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "action_flag" smallint unsigned NOT NULL CHECK ("action_flag" >= 0))',
    'CREATE INDEX "django_admin_log_content_type_id_c4bce8eb" ON "django_admin_log" ("content_type_id")',
    'CREATE INDEX "django_admin_log_user_id_c564eba6" ON "django_admin_log" ("user_id")',
    'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)',
  ],
  postgres: [
    'CREATE TABLE "django_content_type" ("id" serial NOT NULL PRIMARY KEY, "app_label" varchar(100) NOT NULL, "model" varchar(100) NOT NULL)',
    'ALTER TABLE "django_content_type" ADD CONSTRAINT "django_content_type_app_label_model_76bd3d3b_uniq" UNIQUE ("app_label", "model")',
    'CREATE TABLE "auth_permission" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(255) NOT NULL, "content_type_id" integer NOT NULL, "codename" varchar(100) NOT NULL)',
    'CREATE TABLE "auth_group" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(150) NOT NULL UNIQUE)',
    'CREATE TABLE "auth_user_groups" ("id" bigserial NOT NULL PRIMARY KEY, "user_id" integer NOT NULL, "group_id" integer NOT NULL)',
    'CREATE TABLE "auth_user_user_permissions" ("id" bigserial NOT NULL PRIMARY KEY, "user_id" integer NOT NULL, "permission_id" integer NOT NULL)',
    'ALTER TABLE "auth_permission" ADD CONSTRAINT "auth_permission_content_type_id_codename_01ab375a_uniq" UNIQUE ("content_type_id", "codename")',
    'ALTER TABLE "auth_permission" ADD CONSTRAINT "auth_permission_content_type_id_2f476e4b_fk_django_co" FOREIGN KEY ("content_type_id") REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "auth_permission_content_type_id_2f476e4b" ON "auth_permission" ("content_type_id")',
    'CREATE INDEX "auth_group_name_a6ea08ec_like" ON "auth_group" ("name" varchar_pattern_ops)',
    'ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_user_id_group_id_94350c0c_uniq" UNIQUE ("user_id", "group_id")',
    'ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_user_id_6a12ed8b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED',
    'ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_group_id_97559544_fk_auth_group_id" FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "auth_user_groups_user_id_6a12ed8b" ON "auth_user_groups" ("user_id")',
    'CREATE INDEX "auth_user_groups_group_id_97559544" ON "auth_user_groups" ("group_id")',
    'ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq" UNIQUE ("user_id", "permission_id")',
    'ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED',
    'ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm" FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "auth_user_user_permissions_user_id_a95ead1b" ON "auth_user_user_permissions" ("user_id")',
    'CREATE INDEX "auth_user_user_permissions_permission_id_1fbb5f2c" ON "auth_user_user_permissions" ("permission_id")',
    'CREATE TABLE "django_admin_log" ("id" serial NOT NULL PRIMARY KEY, "action_time" timestamp with time zone NOT NULL, "object_id" text NULL, "object_repr" varchar(200) NOT NULL, "action_flag" smallint NOT NULL CHECK ("action_flag" >= 0), "change_message" text NOT NULL, "content_type_id" integer NULL, "user_id" integer NOT NULL)',
    'ALTER TABLE "django_admin_log" ADD CONSTRAINT "django_admin_log_content_type_id_c4bce8eb_fk_django_co" FOREIGN KEY ("content_type_id") REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED',
    'ALTER TABLE "django_admin_log" ADD CONSTRAINT "django_admin_log_user_id_c564eba6_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "django_admin_log_content_type_id_c4bce8eb" ON "django_admin_log" ("content_type_id")',
    'CREATE INDEX "django_admin_log_user_id_c564eba6" ON "django_admin_log" ("user_id")',
    'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL UNIQUE)',
    'ALTER TABLE "authtoken_token" ADD CONSTRAINT "authtoken_token_user_id_35299eff_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "authtoken_token_key_10f0b77e_like" ON "authtoken_token" ("key" varchar_pattern_ops)',
  ],
  // MySQL/MariaDB: no deferrable keys, so Django's are checked at each statement.
  mysql: [
    'CREATE TABLE `django_content_type` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `app_label` varchar(100) NOT NULL, `model` varchar(100) NOT NULL)',
    'ALTER TABLE `django_content_type` ADD CONSTRAINT `django_content_type_app_label_model_76bd3d3b_uniq` UNIQUE (`app_label`, `model`)',
    'CREATE TABLE `auth_permission` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `name` varchar(255) NOT NULL, `content_type_id` integer NOT NULL, `codename` varchar(100) NOT NULL)',
    'CREATE TABLE `auth_group` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `name` varchar(150) NOT NULL UNIQUE)',
    'CREATE TABLE `auth_user_groups` (`id` bigint AUTO_INCREMENT NOT NULL PRIMARY KEY, `user_id` integer NOT NULL, `group_id` integer NOT NULL)',
    'CREATE TABLE `auth_user_user_permissions` (`id` bigint AUTO_INCREMENT NOT NULL PRIMARY KEY, `user_id` integer NOT NULL, `permission_id` integer NOT NULL)',
    'ALTER TABLE `auth_permission` ADD CONSTRAINT `auth_permission_content_type_id_codename_01ab375a_uniq` UNIQUE (`content_type_id`, `codename`)',
    'ALTER TABLE `auth_permission` ADD CONSTRAINT `auth_permission_content_type_id_2f476e4b_fk_django_co` FOREIGN KEY (`content_type_id`) REFERENCES `django_content_type` (`id`)',
    'ALTER TABLE `auth_user_groups` ADD CONSTRAINT `auth_user_groups_user_id_group_id_94350c0c_uniq` UNIQUE (`user_id`, `group_id`)',
    'ALTER TABLE `auth_user_groups` ADD CONSTRAINT `auth_user_groups_user_id_6a12ed8b_fk_auth_user_id` FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`)',
    'ALTER TABLE `auth_user_groups` ADD CONSTRAINT `auth_user_groups_group_id_97559544_fk_auth_group_id` FOREIGN KEY (`group_id`) REFERENCES `auth_group` (`id`)',
    'ALTER TABLE `auth_user_user_permissions` ADD CONSTRAINT `auth_user_user_permissions_user_id_permission_id_14a6b632_uniq` UNIQUE (`user_id`, `permission_id`)',
    'ALTER TABLE `auth_user_user_permissions` ADD CONSTRAINT `auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id` FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`)',
    'ALTER TABLE `auth_user_user_permissions` ADD CONSTRAINT `auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm` FOREIGN KEY (`permission_id`) REFERENCES `auth_permission` (`id`)',
    'CREATE TABLE `django_admin_log` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `action_time` datetime(6) NOT NULL, `object_id` longtext NULL, `object_repr` varchar(200) NOT NULL, `action_flag` smallint UNSIGNED NOT NULL CHECK (`action_flag` >= 0), `change_message` longtext NOT NULL, `content_type_id` integer NULL, `user_id` integer NOT NULL)',
    'ALTER TABLE `django_admin_log` ADD CONSTRAINT `django_admin_log_content_type_id_c4bce8eb_fk_django_co` FOREIGN KEY (`content_type_id`) REFERENCES `django_content_type` (`id`)',
    'ALTER TABLE `django_admin_log` ADD CONSTRAINT `django_admin_log_user_id_c564eba6_fk_auth_user_id` FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`)',
    'CREATE TABLE `authtoken_token` (`key` varchar(40) NOT NULL PRIMARY KEY, `created` datetime(6) NOT NULL, `user_id` integer NOT NULL UNIQUE)',
    'ALTER TABLE `authtoken_token` ADD CONSTRAINT `authtoken_token_user_id_35299eff_fk_auth_user_id` FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`)',
  ],
};

/** An app's table, `Order.user = ForeignKey(User, on_delete=PROTECT)`, as Django makes it. */
export const SHOP_ORDER_DDL: Readonly<Record<Kind, readonly string[]>> = {
  sqlite: [
    'CREATE TABLE "shop_order" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)',
  ],
  postgres: [
    'CREATE TABLE "shop_order" ("id" serial NOT NULL PRIMARY KEY, "user_id" integer NOT NULL)',
    'ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_user_id_2ee9d3a9_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED',
  ],
  mysql: [
    'CREATE TABLE `shop_order` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `user_id` integer NOT NULL)',
    'ALTER TABLE `shop_order` ADD CONSTRAINT `shop_order_user_id_2ee9d3a9_fk_auth_user_id` FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`)',
  ],
};

/** The tables a user's rows are counted in, Django's four first. */
export const USER_TABLES = [
  'django_admin_log',
  'auth_user_groups',
  'auth_user_user_permissions',
  'authtoken_token',
  'shop_order',
  'tessera_token',
] as const;

/** Raw SQL on the database from a connection that is not tessera's, as a Django app writes. */
export interface RawSql {
  run(statements: readonly string[]): Promise<void>;
  /** `SELECT count(*) …` (any one number). */
  count(statement: string): Promise<number>;
}

const BetterSqlite = createRequire(import.meta.url)('better-sqlite3');

export function rawSql(kind: Kind, url: string): RawSql {
  if (kind === 'sqlite') {
    const filename = url.slice('sqlite:'.length);
    const open = () => new BetterSqlite(filename);
    return {
      async run(statements) {
        const connection = open();
        try {
          connection.pragma('foreign_keys = ON');
          connection.transaction(() => {
            for (const statement of statements) connection.exec(statement);
          })();
        } finally {
          connection.close();
        }
      },
      async count(statement) {
        const connection = open();
        try {
          return Number(connection.prepare(statement).pluck().get());
        } finally {
          connection.close();
        }
      },
    };
  }
  if (kind === 'postgres') {
    const withClient = async <T>(work: (client: pg.Client) => Promise<T>) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };
    return {
      run: (statements) =>
        withClient(async (client) => {
          for (const statement of statements) await client.query(statement);
        }),
      count: (statement) =>
        withClient(async (client) =>
          Number(Object.values((await client.query(statement)).rows[0])[0]),
        ),
    };
  }
  const withConnection = async <T>(work: (connection: mysql.Connection) => Promise<T>) => {
    const connection = await mysql.createConnection(url);
    try {
      return await work(connection);
    } finally {
      await connection.end();
    }
  };
  return {
    run: (statements) =>
      withConnection(async (connection) => {
        for (const statement of statements) await connection.query(statement);
      }),
    count: (statement) =>
      withConnection(async (connection) => {
        const [rows] = await connection.query<mysql.RowDataPacket[]>(statement);
        return Number(Object.values(rows[0] ?? {})[0]);
      }),
  };
}

/** Django's and DRF's tables with a content type, a permission and a group to point at. */
export async function createDjangoTables(sql: RawSql, kind: Kind): Promise<void> {
  await sql.run([
    ...DJANGO_DDL[kind],
    ...SHOP_ORDER_DDL[kind],
    "INSERT INTO django_content_type (app_label, model) VALUES ('shop', 'order')",
    "INSERT INTO auth_permission (name, content_type_id, codename) VALUES ('Can view order', 1, 'view_order')",
    "INSERT INTO auth_group (name) VALUES ('editors')",
  ]);
}

/**
 * What Django's admin and DRF leave for a user: `adminLog` admin log entries, a group, a
 * permission, a DRF token (its key made of `keyChar`), and `orders` rows in `shop_order`.
 */
export async function addDjangoRows(
  sql: RawSql,
  kind: Kind,
  userId: number,
  rows: { readonly adminLog: number; readonly orders: number; readonly keyChar: string },
): Promise<void> {
  const statements = [
    `INSERT INTO auth_user_groups (user_id, group_id) VALUES (${userId}, 1)`,
    `INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES (${userId}, 1)`,
    `INSERT INTO authtoken_token (${kind === 'mysql' ? '`key`' : '"key"'}, created, user_id) VALUES ('${rows.keyChar.repeat(40)}', '2026-01-01 00:00:00', ${userId})`,
  ];
  for (let entry = 0; entry < rows.adminLog; entry++) {
    statements.push(
      'INSERT INTO django_admin_log (action_time, object_id, object_repr, action_flag, change_message, content_type_id, user_id) ' +
        `VALUES ('2026-01-01 00:00:00', '${entry}', 'Order ${entry}', 1, '[]', 1, ${userId})`,
    );
  }
  for (let order = 0; order < rows.orders; order++) {
    statements.push(`INSERT INTO shop_order (user_id) VALUES (${userId})`);
  }
  await sql.run(statements);
}

/** How many rows of each table in `USER_TABLES` refer to the user, and whether the user exists. */
export async function userRows(sql: RawSql, userId: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {
    auth_user: await sql.count(`SELECT count(*) FROM auth_user WHERE id = ${userId}`),
  };
  for (const table of USER_TABLES) {
    counts[table] = await sql.count(`SELECT count(*) FROM ${table} WHERE user_id = ${userId}`);
  }
  return counts;
}
