//! SQL pieces the record tables share, written once for both backends.

use sqlx::{Database, Encode, QueryBuilder, Type};

/// The largest code point: appended to a prefix it bounds every string that starts with the prefix, so a
/// prefix search is a range scan on the folded name's index (byte order on SQLite, `collate "C"` on PostgreSQL).
const PREFIX_END: char = '\u{10FFFF}';

/// `column = $n` for every column of `columns` after the first `keys`, numbered by position, so an update
/// binds the same values in the same order as the insert.
pub fn update_assignments(columns: &str, keys: usize) -> String {
    columns
        .split(',')
        .map(str::trim)
        .enumerate()
        .skip(keys)
        .map(|(index, column)| format!("{column} = ${}", index + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` and (<family name> or <given name> starts with the folded prefix)`.
pub fn push_name_prefix<DB>(query: &mut QueryBuilder<DB>, prefix: &str)
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let end = format!("{prefix}{PREFIX_END}");
    query
        .push(" and ((search_family >= ")
        .push_bind(prefix.to_owned());
    query.push(" and search_family < ").push_bind(end.clone());
    query.push(") or (search_given >= ").push_bind(prefix.to_owned());
    query.push(" and search_given < ").push_bind(end).push("))");
}

#[cfg(test)]
mod tests {
    use super::update_assignments;

    #[test]
    fn assignments_skip_the_keys_and_keep_the_positions() {
        assert_eq!(
            update_assignments("id, org, name, version", 2),
            "name = $3, version = $4"
        );
    }
}
