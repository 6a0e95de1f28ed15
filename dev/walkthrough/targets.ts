/**
 * The real LDAP and SQL servers the walkthrough's target steps provision into. npm start runs only the demo SCIM app,
 * so whoever runs the walkthrough passes these as plain connection data (the e2e test starts slapd and PostgreSQL).
 */

/** An LDAP Directory API credential's data: an OpenLDAP server with ou=People under its base DN. */
export interface LdapTargetServer {
	urls: string;
	bindDn: string;
	bindPassword: string;
	baseDn: string;
	flavour?: string;
}

/** A SQL Database API credential's data: a PostgreSQL database holding WALKTHROUGH_SQL_TABLE. */
export interface SqlTargetServer {
	engine: 'postgres';
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
}

export interface WalkthroughTargets {
	ldap?: LdapTargetServer;
	sql?: SqlTargetServer;
}

/** The table the SQL step picks: `login` is NOT NULL without a default, so the editor marks it required. */
export const WALKTHROUGH_SQL_TABLE = {
	schema: 'app',
	name: 'accounts',
	ddl: [
		'create schema if not exists app',
		`create table app.accounts (id serial primary key, login text not null unique, email text, full_name text,
			active boolean not null default true)`,
	],
};

/** The accounts the walkthrough creates (NoChange when it runs again on the same targets). */
export const WALKTHROUGH_ACCOUNTS = {
	scim: 'walk.scim@example.org',
	ldap: 'walk.ldap',
	sql: 'walk.sql',
};
