/*
 * sqlite_sql.c - every statement the SQLite backend runs, in one table
 * indexed by the S_* names of sqlite_int.h.  Each is prepared once per
 * connection, on first use.
 */
#include "sqlite_int.h"

const char *const av_sqlite_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT item",
	[S_RELEASE] = "RELEASE item",
	[S_ROLLBACK_TO] = "ROLLBACK TO item",
	[S_COMP_FIND] = "SELECT id FROM components WHERE name = ?1 AND version = ?2",
	[S_COMP_INSERT] = "INSERT INTO components (name, version, kind, first_seen) "
			  "VALUES (?1, ?2, ?3, ?4)",
	[S_MANIFEST_PUT] = "INSERT INTO manifests (digest, text) VALUES (?1, ?2) "
			   "ON CONFLICT (digest) DO UPDATE SET text = excluded.text "
			   "WHERE manifests.text IS NULL AND excluded.text IS NOT NULL",
	[S_MANIFEST_GET] = "SELECT text FROM manifests WHERE digest = ?1 AND text IS NOT NULL",
	[S_EVAL_INSERT] = "INSERT INTO evaluations (component_id, manifest_digest, policy_digest, "
			  "profile, decision, risk, evaluated_at, review_by, verdict, actor) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_AUDIT_INSERT] = "INSERT INTO audit (at, actor, action, target, detail, outcome) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_FIND_CACHED_KEY] = "SELECT id, manifest_digest, evaluated_at FROM evaluations "
			      "WHERE manifest_digest = ?1 AND policy_digest = ?2 AND profile = ?3 "
			      "ORDER BY id DESC LIMIT 1",
	[S_LATEST_VERSION_KEY] = "SELECT e.id, e.manifest_digest, e.evaluated_at FROM evaluations e "
				 "JOIN components c ON c.id = e.component_id "
				 "WHERE c.name = ?1 AND c.version = ?2 ORDER BY e.id DESC LIMIT 1",
	[S_LATEST_NAME_KEY] = "SELECT e.id, e.manifest_digest, e.evaluated_at FROM evaluations e "
			      "JOIN components c ON c.id = e.component_id "
			      "WHERE c.name = ?1 ORDER BY e.id DESC LIMIT 1",
	[S_VERDICT_BY_ID] = "SELECT verdict FROM evaluations WHERE id = ?1",
	[S_LIST] = "SELECT e.id, e.manifest_digest, e.evaluated_at, e.verdict "
		   "FROM components c JOIN evaluations e "
		   "ON e.id = (SELECT max(id) FROM evaluations WHERE component_id = c.id) "
		   "ORDER BY c.name, c.version",
	[S_COUNTS] = "SELECT (SELECT count(*) FROM components), (SELECT count(*) FROM evaluations), "
		     "(SELECT count(*) FROM reviews), (SELECT count(*) FROM alerts)",
	[S_USER_VERSION] = "PRAGMA user_version",
	[S_PAGE_COUNT] = "PRAGMA page_count",
	[S_PAGE_SIZE] = "PRAGMA page_size",
	[S_QUICK_CHECK] = "PRAGMA quick_check",
	[S_REVIEW_INSERT] = "INSERT INTO reviews (component_id, decision, reviewer, note, conditions, "
			    "created_at, next_review) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SCHED_ADVANCE] = "UPDATE schedules SET next_due = ?2, updated_at = ?3 "
			    "WHERE component_id = ?1",
	[S_REVIEW_LIST] = "SELECT r.id, c.name, c.version, r.decision, r.reviewer, r.note, "
			  "r.conditions, r.created_at, r.next_review FROM reviews r "
			  "JOIN components c ON c.id = r.component_id "
			  "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
			  "ORDER BY r.created_at, r.id",
	/* The last review in history order (time, then id) and the digest of the
	 * manifest its component had then: the last evaluation at or before it
	 * (at the same second an evaluation comes first, as in S_HISTORY). */
	[S_REVIEW_LAST] = "SELECT r.id, c.name, c.version, r.decision, r.reviewer, r.note, "
			  "r.conditions, r.created_at, r.next_review, "
			  "(SELECT e.manifest_digest FROM evaluations e "
			  " WHERE e.component_id = r.component_id AND e.evaluated_at <= r.created_at "
			  " ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 1) "
			  "FROM reviews r JOIN components c ON c.id = r.component_id "
			  "WHERE c.name = ?1 AND c.version = ?2 "
			  "ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
	[S_SCHED_SET] = "INSERT INTO schedules (component_id, every_seconds, owner, next_due, "
			"updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (component_id) DO "
			"UPDATE SET every_seconds = excluded.every_seconds, owner = excluded.owner, "
			"next_due = excluded.next_due, updated_at = excluded.updated_at",
	[S_SCHED_DELETE] = "DELETE FROM schedules WHERE component_id = ?1",
	[S_SCHED_GET] = "SELECT c.name, c.version, s.every_seconds, s.owner, s.next_due, "
			"s.updated_at FROM schedules s JOIN components c ON c.id = s.component_id "
			"WHERE c.name = ?1 AND c.version = ?2",
	[S_SCHED_DUE] = "SELECT c.name, c.version, s.every_seconds, s.owner, s.next_due, "
			"s.updated_at FROM schedules s JOIN components c ON c.id = s.component_id "
			"WHERE s.next_due <= ?1 ORDER BY s.next_due, c.name, c.version",
	[S_WAIVER_INSERT] = "INSERT INTO waivers (component_id, finding_id, justification, note, "
			    "until, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_WAIVER_TARGET] = "SELECT c.name, c.version FROM waivers w "
			    "JOIN components c ON c.id = w.component_id "
			    "WHERE w.id = ?1 AND w.revoked_at IS NULL",
	[S_WAIVER_REVOKE] = "UPDATE waivers SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[S_WAIVER_LIST] = "SELECT w.id, c.name, c.version, w.finding_id, w.justification, w.note, "
			  "w.until, w.created_by, w.created_at, w.revoked_at FROM waivers w "
			  "JOIN components c ON c.id = w.component_id "
			  "WHERE (?1 IS NULL OR c.name = ?1) AND (?2 IS NULL OR c.version = ?2) "
			  "AND (?4 = 2 OR (w.revoked_at IS NULL AND CASE WHEN ?4 = 0 "
			  "THEN (w.until IS NULL OR w.until > ?3) "
			  "ELSE (w.until IS NOT NULL AND w.until <= ?3) END)) "
			  "ORDER BY c.name, c.version, w.id",
	/* The same for one component, through its index (the general form above
	 * scans every waiver: the planner cannot use an index across "?1 IS NULL
	 * OR"), as every verdict lookup asks. */
	[S_WAIVER_LIST_ONE] = "SELECT w.id, c.name, c.version, w.finding_id, w.justification, "
			      "w.note, w.until, w.created_by, w.created_at, w.revoked_at "
			      "FROM components c JOIN waivers w ON w.component_id = c.id "
			      "WHERE c.name = ?1 AND c.version = ?2 "
			      "AND (?4 = 2 OR (w.revoked_at IS NULL AND CASE WHEN ?4 = 0 "
			      "THEN (w.until IS NULL OR w.until > ?3) "
			      "ELSE (w.until IS NOT NULL AND w.until <= ?3) END)) "
			      "ORDER BY w.id",
	[S_ALERT_INSERT] = "INSERT INTO alerts (topic, component_id, dedupe_key, payload, created_at) "
			   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (dedupe_key) DO NOTHING",
	[S_ALERT_FIND] = "SELECT id FROM alerts WHERE dedupe_key = ?1",
	[S_ALERT_LIST] = "SELECT a.id, a.topic, c.name, c.version, a.dedupe_key, a.payload, "
			 "a.created_at FROM alerts a LEFT JOIN components c ON c.id = a.component_id "
			 "WHERE a.id > ?1 ORDER BY a.id LIMIT ?2",
	[S_AUDIT_LIST] = "SELECT id, at, actor, action, target, detail, outcome FROM audit "
			 "WHERE (?1 IS NULL OR target = ?1) ORDER BY id",
	[S_HISTORY] = "SELECT 0, e.id, e.evaluated_at, c.name, c.version, e.decision, e.actor, "
		      "e.verdict FROM evaluations e JOIN components c ON c.id = e.component_id "
		      "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
		      "UNION ALL "
		      "SELECT 1, r.id, r.created_at, c.name, c.version, r.decision, r.reviewer, "
		      "r.note FROM reviews r JOIN components c ON c.id = r.component_id "
		      "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
		      "UNION ALL "
		      "SELECT 2, a.id, a.created_at, c.name, c.version, a.topic, NULL, a.payload "
		      "FROM alerts a JOIN components c ON c.id = a.component_id "
		      "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
		      "ORDER BY 3, 1, 2",
};
