package hours

import (
	"strings"
	"testing"
	"time"
)

var stockholm = mustLoc("Europe/Stockholm")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, stockholm)
}

func office(t *testing.T) *Schedule {
	t.Helper()
	s, err := Parse(Spec{
		Weekly: []WeeklySpec{
			{Days: "mon-thu", Hours: "08:00-16:30", Lunch: "12:00-13:00"},
			{Days: "fri", Hours: "08:00-15:00"},
		},
		Exceptions: []ExceptionSpec{
			{Date: "2026-12-24", Closed: true, Note: "Julafton"},
			{From: "2026-12-25", To: "2026-12-27", Closed: true, Note: "Jul"},
			{Date: "2026-12-30", Hours: "09:00-12:00", Note: "Kort dag"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAtOfficeHours(t *testing.T) {
	s := office(t)
	tests := []struct {
		name   string
		now    time.Time
		open   bool
		change time.Time
		note   string
	}{
		{"monday morning", at(2026, 11, 23, 9, 0), true, at(2026, 11, 23, 12, 0), ""},
		{"before opening", at(2026, 11, 23, 7, 59), false, at(2026, 11, 23, 8, 0), ""},
		{"at opening minute", at(2026, 11, 23, 8, 0), true, at(2026, 11, 23, 12, 0), ""},
		{"lunch", at(2026, 11, 23, 12, 30), false, at(2026, 11, 23, 13, 0), ""},
		{"at closing minute", at(2026, 11, 23, 16, 30), false, at(2026, 11, 24, 8, 0), ""},
		{"friday after close opens monday", at(2026, 11, 27, 15, 30), false, at(2026, 11, 30, 8, 0), ""},
		{"saturday", at(2026, 11, 28, 11, 0), false, at(2026, 11, 30, 8, 0), ""},
		{"day before christmas eve", at(2026, 12, 23, 17, 0), false, at(2026, 12, 28, 8, 0), ""},
		{"christmas eve", at(2026, 12, 24, 10, 0), false, at(2026, 12, 28, 8, 0), "Julafton"},
		{"short day", at(2026, 12, 30, 11, 0), true, at(2026, 12, 30, 12, 0), "Kort dag"},
		{"after short day", at(2026, 12, 30, 13, 0), false, at(2026, 12, 31, 8, 0), "Kort dag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := s.At(tt.now, stockholm)
			if st.Open != tt.open || !st.Change.Equal(tt.change) || st.Note != tt.note {
				t.Fatalf("At(%v) = open %v change %v note %q; want open %v change %v note %q",
					tt.now, st.Open, st.Change, st.Note, tt.open, tt.change, tt.note)
			}
		})
	}
}

func TestAtAcrossMidnightAndDST(t *testing.T) {
	s, err := Parse(Spec{Weekly: []WeeklySpec{{Days: "fri-sun", Hours: "22:00-06:00"}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		now       time.Time
		open      bool
		change    time.Time
		changeUTC int // hour of the change in UTC, to prove the offset
	}{
		{"friday late", at(2026, 11, 27, 23, 0), true, at(2026, 11, 28, 6, 0), 5},
		{"saturday early, from friday's window", at(2026, 11, 28, 5, 59), true, at(2026, 11, 28, 6, 0), 5},
		{"saturday noon", at(2026, 11, 28, 12, 0), false, at(2026, 11, 28, 22, 0), 21},
		// 29 March 2026: clocks go from 02:00 to 03:00 in Stockholm.
		{"spring forward night", at(2026, 3, 28, 23, 0), true, at(2026, 3, 29, 6, 0), 4},
		{"spring forward morning", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), true, at(2026, 3, 29, 6, 0), 4},
		// 25 October 2026: clocks go from 03:00 back to 02:00.
		{"fall back night", at(2026, 10, 24, 23, 0), true, at(2026, 10, 25, 6, 0), 5},
		{"fall back, second 02:30", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), true, at(2026, 10, 25, 6, 0), 5},
		{"sunday night opens once more", at(2026, 10, 25, 21, 0), false, at(2026, 10, 25, 22, 0), 21},
		{"monday after the weekend", at(2026, 10, 26, 7, 0), false, at(2026, 10, 30, 22, 0), 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := s.At(tt.now, stockholm)
			if st.Open != tt.open || !st.Change.Equal(tt.change) || st.Change.UTC().Hour() != tt.changeUTC {
				t.Fatalf("At(%v) = open %v change %v; want open %v change %v (%02d UTC)",
					tt.now, st.Open, st.Change, tt.open, tt.change, tt.changeUTC)
			}
		})
	}
}

func TestAtEdges(t *testing.T) {
	always, _ := Parse(Spec{Weekly: []WeeklySpec{{Days: "daily", Hours: "00:00-24:00"}}})
	st := always.At(at(2026, 11, 23, 3, 0), stockholm)
	if !st.Open || !st.Change.IsZero() {
		t.Fatalf("always open: got %+v", st)
	}
	never, _ := Parse(Spec{})
	st = never.At(at(2026, 11, 23, 3, 0), stockholm)
	if st.Open || !st.Change.IsZero() {
		t.Fatalf("never open: got %+v", st)
	}
	summer, _ := Parse(Spec{
		Weekly:     []WeeklySpec{{Days: "mon-fri", Hours: "08-16"}},
		Exceptions: []ExceptionSpec{{From: "2027-06-28", To: "2027-08-08", Closed: true, Note: "Sommarstängt"}},
	})
	st = summer.At(at(2027, 7, 1, 10, 0), stockholm)
	if st.Open || !st.Change.Equal(at(2027, 8, 9, 8, 0)) || st.Note != "Sommarstängt" {
		t.Fatalf("summer closure: got %+v", st)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		spec Spec
		want string
	}{
		{Spec{Weekly: []WeeklySpec{{Days: "mån", Hours: "08-16"}}}, `unknown day "mån"`},
		{Spec{Weekly: []WeeklySpec{{Days: "mon", Hours: "8-25"}}}, `time "25" is not HH:MM`},
		{Spec{Weekly: []WeeklySpec{{Days: "mon", Hours: "08:00"}}}, `write a range like 08:00-16:30`},
		{Spec{Weekly: []WeeklySpec{{Days: "", Hours: "08-16"}}}, `days is empty`},
		{Spec{Exceptions: []ExceptionSpec{{Date: "24/12", Closed: true}}}, `is not YYYY-MM-DD`},
		{Spec{Exceptions: []ExceptionSpec{{Date: "2026-12-24"}}}, `needs closed: true or hours`},
		{Spec{Exceptions: []ExceptionSpec{{From: "2026-12-24", To: "2026-12-01", Closed: true}}}, `is before from`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%+v) error = %v, want it to contain %q", tt.spec, err, tt.want)
		}
	}
}
