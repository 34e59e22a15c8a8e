package sqltext

import "testing"

func TestDefaultNamespaceRefs(t *testing.T) {
	for _, stmt := range []string{
		"SELECT count(*) FROM default.t",
		"SELECT * FROM DEFAULT.t VERSION AS OF 2 x",
		"DELETE FROM default.t WHERE a = 1",
	} {
		refs, err := FindTableRefs(stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		if len(refs) != 1 || len(refs[0].Parts) != 2 || refs[0].Parts[1] != "t" {
			t.Errorf("%s: refs = %+v, want default.t", stmt, refs)
		}
	}
	an, err := Analyze("INSERT INTO default.t VALUES (1)")
	if err != nil {
		t.Fatal(err)
	}
	if an.Kind != InsertInto || len(an.Target.Parts) != 2 {
		t.Errorf("insert into default.t: %+v", an)
	}
	// DEFAULT alone is still a keyword.
	if refs, err := FindTableRefs("INSERT INTO t DEFAULT VALUES"); err == nil && len(refs) > 1 {
		t.Errorf("DEFAULT VALUES read as a table: %+v", refs)
	}
}
