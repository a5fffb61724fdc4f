package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/store"
)

// Schema describes db's tables, their columns (type, nullability, default,
// key) and their indexes, one line each, sorted, so that two databases can
// be compared line by line. Column order is left out: a column added by a
// later step comes last, and no query notices.
func Schema(t testing.TB, db *store.DB) string {
	t.Helper()
	var lines []string
	var err error
	switch db.Dialect() {
	case "sqlite":
		lines, err = sqliteSchema(db)
	case "postgres":
		lines, err = postgresSchema(db)
	default:
		err = fmt.Errorf("dialect %q", db.Dialect())
	}
	if err != nil {
		t.Fatalf("read the schema: %v", err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

func sqliteSchema(db *store.DB) ([]string, error) {
	g := db.Gorm()
	var tables []string
	if err := g.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&tables).Error; err != nil {
		return nil, err
	}
	var lines []string
	for _, table := range tables {
		var cols []struct {
			Name    string
			Type    string
			NotNull int
			Dflt    *string
			PK      int
		}
		if err := g.Raw(`SELECT name, type, "notnull" AS not_null, dflt_value AS dflt, pk FROM pragma_table_info(?)`, table).Scan(&cols).Error; err != nil {
			return nil, err
		}
		for _, c := range cols {
			lines = append(lines, fmt.Sprintf("%s.%s column type=%s notnull=%d default=%s pk=%d", table, c.Name, c.Type, c.NotNull, orNull(c.Dflt), c.PK))
		}
		var idxs []struct {
			Name    string
			Unique  int
			Origin  string
			Partial int
		}
		if err := g.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table).Scan(&idxs).Error; err != nil {
			return nil, err
		}
		for _, ix := range idxs {
			var on []string
			if err := g.Raw("SELECT name FROM pragma_index_info(?) ORDER BY seqno", ix.Name).Scan(&on).Error; err != nil {
				return nil, err
			}
			lines = append(lines, fmt.Sprintf("%s index %s unique=%d origin=%s partial=%d on=(%s)", table, ix.Name, ix.Unique, ix.Origin, ix.Partial, strings.Join(on, ", ")))
		}
	}
	return lines, nil
}

func postgresSchema(db *store.DB) ([]string, error) {
	g := db.Gorm()
	var cols []struct {
		TableName  string
		ColumnName string
		DataType   string
		Length     int
		IsNullable string
		Dflt       *string
	}
	err := g.Raw(`SELECT table_name, column_name, data_type, COALESCE(character_maximum_length, 0) AS length, is_nullable, column_default AS dflt
		FROM information_schema.columns WHERE table_schema = current_schema()`).Scan(&cols).Error
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, c := range cols {
		lines = append(lines, fmt.Sprintf("%s.%s column type=%s(%d) nullable=%s default=%s", c.TableName, c.ColumnName, c.DataType, c.Length, c.IsNullable, orNull(c.Dflt)))
	}
	var schema string
	if err := g.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		return nil, err
	}
	var idxs []struct {
		Tablename string
		Indexname string
		Indexdef  string
	}
	if err := g.Raw("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()").Scan(&idxs).Error; err != nil {
		return nil, err
	}
	for _, ix := range idxs {
		def := strings.ReplaceAll(ix.Indexdef, schema+".", "")
		lines = append(lines, fmt.Sprintf("%s index %s %s", ix.Tablename, ix.Indexname, def))
	}
	return lines, nil
}

func orNull(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

// SchemaDiff lists the lines only in want (-) and only in got (+); empty
// when the two schemas are the same.
func SchemaDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
