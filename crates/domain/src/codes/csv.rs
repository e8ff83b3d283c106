//! Reading a code list from CSV text: the shipped lists and the full lists that operators import.
//!
//! The format is the common one (RFC 4180): comma-separated fields, a field in double quotes may hold
//! commas, line breaks and doubled quotes (`""`). The first row names the columns; `code` and `title` are
//! required, in any order, and other columns are ignored, so an export with extra columns (a chapter, a
//! validity flag) can be loaded as it is. Blank lines are skipped. Every error names the line it is on, so
//! that an operator can fix a list of tens of thousands of rows.

use std::collections::HashMap;
use std::fmt;

use super::{Code, CodeEntry, CodeError, CodeSystem, CodeTitleError};

/// What is wrong with a code list, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct CsvError {
    /// The line, counted from 1, on which the offending row starts.
    pub line: usize,
    pub kind: CsvErrorKind,
}

impl CsvError {
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvErrorKind {
    /// The first row is not a header naming the `code` and `title` columns, or there is no row at all.
    MissingHeader,
    /// A quoted field is not closed before the end of the text.
    UnterminatedQuote,
    /// A quote inside a field that did not start with one, or text after a field's closing quote.
    StrayQuote,
    /// A row has a different number of fields than the header.
    FieldCount {
        expected: usize,
        found: usize,
    },
    Code(CodeError),
    Title(CodeTitleError),
    /// The code was already on an earlier line.
    Duplicate {
        first_line: usize,
    },
}

impl CsvErrorKind {
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader => "csv_missing_header",
            Self::UnterminatedQuote => "csv_unterminated_quote",
            Self::StrayQuote => "csv_stray_quote",
            Self::FieldCount { .. } => "csv_field_count",
            Self::Code(error) => error.code(),
            Self::Title(error) => error.code(),
            Self::Duplicate { .. } => "duplicate_code",
        }
    }
}

impl fmt::Display for CsvErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader => {
                f.write_str("the first row must be a header with the columns code and title")
            }
            Self::UnterminatedQuote => f.write_str("a quoted field is not closed"),
            Self::StrayQuote => f.write_str(
                "a quote must open a field and a closing quote must end it; write \"\" for a quote",
            ),
            Self::FieldCount { expected, found } => {
                write!(f, "the row has {found} fields where the header has {expected}")
            }
            Self::Code(error) => error.fmt(f),
            Self::Title(error) => error.fmt(f),
            Self::Duplicate { first_line } => write!(f, "the code is already on line {first_line}"),
        }
    }
}

/// Parses a code list of `system`, in the order of the file. Fails on the first bad row.
pub fn parse_csv(system: CodeSystem, text: &str) -> Result<Vec<CodeEntry>, CsvError> {
    let mut rows = records(text)?.into_iter();
    let header = rows.next().ok_or(CsvError {
        line: 1,
        kind: CsvErrorKind::MissingHeader,
    })?;
    let column = |name: &str| {
        header
            .fields
            .iter()
            .position(|field| field.trim().eq_ignore_ascii_case(name))
    };
    let (Some(code_column), Some(title_column)) = (column("code"), column("title")) else {
        return Err(CsvError {
            line: header.line,
            kind: CsvErrorKind::MissingHeader,
        });
    };

    let mut first_lines: HashMap<Code, usize> = HashMap::new();
    let mut entries = Vec::new();
    for row in rows {
        let fail = |kind| CsvError { line: row.line, kind };
        if row.fields.len() != header.fields.len() {
            return Err(fail(CsvErrorKind::FieldCount {
                expected: header.fields.len(),
                found: row.fields.len(),
            }));
        }
        let code = Code::parse(system, &row.fields[code_column]).map_err(|e| fail(CsvErrorKind::Code(e)))?;
        if let Some(&first_line) = first_lines.get(&code) {
            return Err(fail(CsvErrorKind::Duplicate { first_line }));
        }
        let entry = CodeEntry::new(system, code.clone(), &row.fields[title_column])
            .map_err(|e| fail(CsvErrorKind::Title(e)))?;
        first_lines.insert(code, row.line);
        entries.push(entry);
    }
    Ok(entries)
}

/// One row of the file and the line it starts on.
#[derive(Debug)]
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Splits CSV text into rows of fields, skipping blank lines.
fn records(text: &str) -> Result<Vec<Record>, CsvError> {
    // Spreadsheet programs put a byte-order mark in front of the UTF-8 files they save.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut line = 1;
    let mut record = Record {
        line,
        fields: Vec::new(),
    };
    let mut field = String::new();
    // Whether the current field opened with a quote, and whether that quote has been closed.
    let mut quoted = false;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();

    while let Some(c) = chars.next() {
        let stray = CsvError {
            line: record.line,
            kind: CsvErrorKind::StrayQuote,
        };
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            ',' => {
                record.fields.push(std::mem::take(&mut field));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.fields.push(std::mem::take(&mut field));
                quoted = false;
                line += 1;
                let done = std::mem::replace(
                    &mut record,
                    Record {
                        line,
                        fields: Vec::new(),
                    },
                );
                push_unless_blank(&mut records, done);
            }
            '"' if field.is_empty() && !quoted => {
                quoted = true;
                in_quotes = true;
            }
            _ if quoted || c == '"' => return Err(stray),
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(CsvError {
            line: record.line,
            kind: CsvErrorKind::UnterminatedQuote,
        });
    }
    record.fields.push(field);
    push_unless_blank(&mut records, record);
    Ok(records)
}

/// A blank line is a row of one empty field; the last line of a file ending in a newline is one too.
fn push_unless_blank(records: &mut Vec<Record>, record: Record) {
    let blank = matches!(&record.fields[..], [only] if only.trim().is_empty());
    if !blank {
        records.push(record);
    }
}
