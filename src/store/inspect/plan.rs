//! Plans as the databases print them, read into a [`Plan`]: SQLite's `EXPLAIN QUERY PLAN` rows
//! (`id`, `parent`, `detail`) and PostgreSQL's `EXPLAIN (FORMAT JSON)` document.

use serde_json::Value;

use super::Plan;

/// The plan of `sql` from its `EXPLAIN QUERY PLAN` rows `(id, parent, detail)`.
///
/// SQLite names a table by its alias in the statement (`SCAN a`), so aliases are resolved from
/// the statement's `FROM` and `JOIN` clauses.
pub(in crate::store) fn sqlite_plan(rows: &[(i64, i64, String)], sql: &str) -> Plan {
    let aliases = aliases(sql);
    // A name that is no table of the statement is a subquery's or a CTE's.
    let table_of = |name: &str| aliases.iter().find(|(alias, _)| alias == name).map(|(_, table)| table.clone());
    let mut plan = Plan::default();
    let mut lines = Vec::new();
    // Depth-first from the roots (parent 0), children in id order as SQLite lists them.
    let mut stack: Vec<(i64, usize)> = rows.iter().rev().filter(|r| r.1 == 0).map(|r| (r.0, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let Some((_, _, detail)) = rows.iter().find(|r| r.0 == id) else { continue };
        lines.push(format!("{}{detail}", "  ".repeat(depth)));
        stack.extend(rows.iter().rev().filter(|r| r.1 == id).map(|r| (r.0, depth + 1)));
        let words: Vec<&str> = detail.split_whitespace().collect();
        if let Some(at) = words.iter().position(|w| *w == "INDEX") {
            if let Some(index) = words.get(at + 1).filter(|w| !w.starts_with('(')) {
                push_once(&mut plan.indexes, index.to_string());
            }
        }
        if detail.starts_with("USE TEMP B-TREE") {
            plan.temp_btree = true;
        }
        let (Some(&verb), Some(&object)) = (words.first(), words.get(1)) else { continue };
        let object_is_table = !object.starts_with('(') && object != "CONSTANT" && object.parse::<i64>().is_err();
        let reads_all = match verb {
            // `SCAN t`, `SCAN t USING [COVERING] INDEX i`: every row, by the table or an index.
            "SCAN" => !detail.contains("VIRTUAL TABLE"),
            // An automatic index is built from a full scan, for this statement only.
            "SEARCH" => detail.contains("USING AUTOMATIC"),
            _ => false,
        };
        if let (true, true, Some(table)) = (reads_all, object_is_table, table_of(object)) {
            push_once(&mut plan.full_scans, table);
        }
    }
    plan.text = lines.join("\n");
    plan
}

/// `(alias, table)` for every table named after `FROM` or `JOIN` in `sql` (a table without an
/// alias maps to itself).
fn aliases(sql: &str) -> Vec<(String, String)> {
    const NOT_AN_ALIAS: [&str; 14] = [
        "WHERE", "ON", "LEFT", "RIGHT", "INNER", "CROSS", "JOIN", "ORDER", "GROUP", "LIMIT", "UNION", "USING", "AS",
        "NATURAL",
    ];
    let spaced = sql.replace(['(', ')', ','], " , ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if !(word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("JOIN")) {
            continue;
        }
        let Some(table) = words.get(i + 1).filter(|w| **w != ",") else { continue };
        let mut next = i + 2;
        if words.get(next).is_some_and(|w| w.eq_ignore_ascii_case("AS")) {
            next += 1;
        }
        let alias = match words.get(next) {
            Some(w) if *w != "," && !NOT_AN_ALIAS.iter().any(|k| w.eq_ignore_ascii_case(k)) => w,
            _ => table,
        };
        out.push((alias.to_string(), table.to_string()));
    }
    out
}

/// The plan in an `EXPLAIN (FORMAT JSON)` document: `[{"Plan": {...}}]`.
pub(in crate::store) fn pg_plan(document: &Value) -> Plan {
    let mut plan = Plan::default();
    let mut lines = Vec::new();
    if let Some(root) = document.get(0).and_then(|d| d.get("Plan")) {
        pg_node(root, 0, &mut plan, &mut lines);
    }
    plan.text = lines.join("\n");
    plan
}

fn pg_node(node: &Value, depth: usize, plan: &mut Plan, lines: &mut Vec<String>) {
    let field = |name: &str| node.get(name).and_then(Value::as_str);
    let kind = field("Node Type").unwrap_or("?");
    let mut line = format!("{}{}{kind}", "  ".repeat(depth), if depth > 0 { "-> " } else { "" });
    if let Some(index) = field("Index Name") {
        line.push_str(&format!(" using {index}"));
        push_once(&mut plan.indexes, index.to_string());
    }
    let relation = field("Relation Name");
    if let Some(table) = relation {
        line.push_str(&format!(" on {table}"));
        if let Some(alias) = field("Alias").filter(|a| *a != table) {
            line.push_str(&format!(" {alias}"));
        }
    }
    for detail in ["Index Cond", "Recheck Cond", "Hash Cond", "Join Filter", "Filter"] {
        if let Some(value) = field(detail) {
            line.push_str(&format!(" ({detail}: {value})"));
        }
    }
    if let Some(keys) = node.get("Sort Key").and_then(Value::as_array) {
        let keys: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
        line.push_str(&format!(" (Sort Key: {})", keys.join(", ")));
    }
    lines.push(line);
    let full = match kind {
        "Seq Scan" => true,
        // An index read from end to end: every row, in index order.
        "Index Scan" | "Index Only Scan" => field("Index Cond").is_none(),
        _ => false,
    };
    if let (true, Some(table)) = (full, relation) {
        push_once(&mut plan.full_scans, table.to_string());
    }
    if kind.ends_with("Sort") {
        plan.temp_btree = true;
    }
    for child in node.get("Plans").and_then(Value::as_array).into_iter().flatten() {
        pg_node(child, depth + 1, plan, lines);
    }
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(rows: &[(i64, i64, &str)]) -> Vec<(i64, i64, String)> {
        rows.iter().map(|(id, parent, detail)| (*id, *parent, detail.to_string())).collect()
    }

    #[test]
    fn sqlite_plans_resolve_aliases_and_nest() {
        let sql = "SELECT a.id FROM appointments a LEFT JOIN staff st ON st.id = a.staff_id \
                   WHERE a.company_id = $1 ORDER BY a.starts_at";
        let plan = sqlite_plan(
            &rows(&[
                (3, 0, "SCAN a"),
                (5, 0, "SEARCH st USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN"),
                (9, 0, "USE TEMP B-TREE FOR ORDER BY"),
            ]),
            sql,
        );
        assert_eq!(plan.full_scans, ["appointments"]);
        assert!(plan.temp_btree);
        assert!(plan.indexes.is_empty());
        assert_eq!(plan.text.lines().next(), Some("SCAN a"));

        let plan = sqlite_plan(
            &rows(&[
                (1, 0, "COMPOUND QUERY"),
                (2, 1, "LEFT-MOST SUBQUERY"),
                (4, 2, "SEARCH appointments USING INDEX appointments_busy (company_id=? AND branch_id=?)"),
                (7, 2, "LIST SUBQUERY 1"),
                (9, 7, "SEARCH staff_services USING COVERING INDEX staff_services_service (company_id=?)"),
                (20, 1, "UNION ALL"),
                (22, 20, "SCAN slot_holds USING INDEX slot_holds_staff_time"),
            ]),
            "SELECT 1 FROM appointments UNION ALL SELECT 1 FROM slot_holds",
        );
        assert_eq!(plan.indexes, ["appointments_busy", "staff_services_service", "slot_holds_staff_time"]);
        assert_eq!(plan.full_scans, ["slot_holds"]);
        assert!(!plan.temp_btree);
        assert_eq!(
            plan.text.lines().nth(4),
            Some("      SEARCH staff_services USING COVERING INDEX staff_services_service (company_id=?)")
        );
        assert_eq!(plan.text.lines().nth(6), Some("    SCAN slot_holds USING INDEX slot_holds_staff_time"));
    }

    #[test]
    fn aliases_in_from_and_join() {
        let found = aliases(
            "SELECT x FROM services s WHERE (SELECT COUNT(*) FROM service_synonyms AS y WHERE y.a = s.b) \
                             JOIN customers c ON c.id = 1 FROM calls WHERE 1",
        );
        let pairs: Vec<(&str, &str)> = found.iter().map(|(a, t)| (a.as_str(), t.as_str())).collect();
        assert_eq!(pairs, [("s", "services"), ("y", "service_synonyms"), ("c", "customers"), ("calls", "calls")]);
    }

    #[test]
    fn postgres_plans() {
        let doc: Value = serde_json::from_str(
            r#"[{"Plan": {"Node Type": "Sort", "Sort Key": ["a.starts_at", "a.id"], "Plans": [
                {"Node Type": "Nested Loop", "Plans": [
                    {"Node Type": "Seq Scan", "Relation Name": "appointments", "Alias": "a",
                     "Filter": "(company_id = '1'::bigint)"},
                    {"Node Type": "Index Scan", "Index Name": "staff_pkey", "Relation Name": "staff",
                     "Alias": "st", "Index Cond": "(id = a.staff_id)"},
                    {"Node Type": "Index Only Scan", "Index Name": "customers_pkey",
                     "Relation Name": "customers", "Alias": "customers"}
                ]}
            ]}}]"#,
        )
        .unwrap();
        let plan = pg_plan(&doc);
        assert_eq!(plan.full_scans, ["appointments", "customers"]);
        assert!(plan.temp_btree);
        assert_eq!(plan.indexes, ["staff_pkey", "customers_pkey"]);
        assert_eq!(
            plan.text,
            "Sort (Sort Key: a.starts_at, a.id)\n  -> Nested Loop\n    -> Seq Scan on appointments a \
             (Filter: (company_id = '1'::bigint))\n    -> Index Scan using staff_pkey on staff st (Index Cond: (id = a.staff_id))\n    \
             -> Index Only Scan using customers_pkey on customers"
        );
    }
}
