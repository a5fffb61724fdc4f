package hours

import (
	"reflect"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/i18n"
	"github.com/torg-cms/torg/themes"
)

// TestDescribeTellsStateTableAndExceptions: the status names the next
// change relative to now, the weekly table names its days in the reader's
// language, and a coming holiday is listed.
func TestDescribeTellsStateTableAndExceptions(t *testing.T) {
	cat, err := i18n.Load(themes.Default(), "i18n", "sv")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := Parse(Spec{
		Weekly:     []WeeklySpec{{Days: "mon-thu", Hours: "08:00-16:00", Lunch: "12:00-13:00"}, {Days: "fri", Hours: "08:00-15:00"}},
		Exceptions: []ExceptionSpec{{Date: "2026-12-24", Closed: true, Note: "julafton"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Stockholm")
	fri := time.Date(2026, 12, 18, 15, 30, 0, 0, loc)
	d := Describe(cat, "sv", sched, fri, loc)
	if d.Open || d.Status != "Stängt, öppnar måndag 08:00" {
		t.Errorf("status on Friday after closing: %v %q", d.Open, d.Status)
	}
	want := []Row{{Days: "Måndag–torsdag", Hours: "08:00–16:00 (lunch 12:00–13:00)"}, {Days: "Fredag", Hours: "08:00–15:00"}}
	if !reflect.DeepEqual(d.Rows, want) {
		t.Errorf("table: %+v", d.Rows)
	}
	if len(d.Exceptions) != 1 || d.Exceptions[0].Days != "24 december 2026" || d.Exceptions[0].Hours != "stängt (julafton)" {
		t.Errorf("exceptions: %+v", d.Exceptions)
	}
	en := Describe(cat, "en", sched, fri.Add(-time.Hour), loc)
	if !en.Open || en.Rows[1].Days != "Friday" {
		t.Errorf("in English before closing: %+v", en)
	}
}
