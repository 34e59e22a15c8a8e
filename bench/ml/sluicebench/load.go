package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// churnTrainRows is the number of leading data rows of mlc_churn.csv that
// train when one file holds both splits (peer.py's CHURN_TRAIN_ROWS).
const churnTrainRows = 3333

// areaCodes are the one-hot columns of area_code, in peer.py's order.
var areaCodes = []string{"area_code_408", "area_code_415", "area_code_510"}

// table is a loaded split: n rows of d features, row-major, and 0/1 labels.
type table struct {
	names []string
	x     []float64
	y     []float64
}

func (t *table) rows() int { return len(t.y) }

// frame returns t as a Frame with a dense vector column "features" and a
// float64 column "label".
func (t *table) frame() (*ml.Frame, error) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	return ml.NewFrame(schema, []*arrow.Chunked{ml.DenseVectors(t.x, len(t.names)), ml.Float64Column(t.y)})
}

// readCSV reads a whole CSV file: its header and its records.
func readCSV(path string) (header []string, recs [][]string, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	header, err = r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: header: %w", path, err)
	}
	r.FieldsPerRecord = len(header)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		recs = append(recs, rec)
	}
	return header, recs, nil
}

func columnIndex(header []string) map[string]int {
	idx := make(map[string]int, len(header))
	for i, h := range header {
		idx[h] = i
	}
	return idx
}

// loadChurn loads the churn splits with peer.py's encoding: every column
// except state and churn, in file order, with international_plan and
// voice_mail_plan as yes→1/no→0 and area_code dropped from its place and
// one-hot encoded into area_code_408/415/510 appended at the end (pandas
// appends new columns after the existing ones). The label is churn=="yes".
// With train == test the file is split by row: the first 3,333 data rows
// train, the rest test.
func loadChurn(trainPath, testPath string) (train, test *table, err error) {
	if trainPath == testPath {
		header, recs, err := readCSV(trainPath)
		if err != nil {
			return nil, nil, err
		}
		if len(recs) <= churnTrainRows {
			return nil, nil, fmt.Errorf("%s: %d data rows, want more than %d (rows 1–%d train, the rest test)", trainPath, len(recs), churnTrainRows, churnTrainRows)
		}
		if train, err = encodeChurn(trainPath, header, recs[:churnTrainRows], 0); err != nil {
			return nil, nil, err
		}
		if test, err = encodeChurn(testPath, header, recs[churnTrainRows:], churnTrainRows); err != nil {
			return nil, nil, err
		}
		return train, test, nil
	}
	for i, p := range []string{trainPath, testPath} {
		header, recs, err := readCSV(p)
		if err != nil {
			return nil, nil, err
		}
		t, err := encodeChurn(p, header, recs, 0)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			train = t
		} else {
			test = t
		}
	}
	return train, test, nil
}

// encodeChurn encodes recs; rowBase is the number of data rows before
// recs[0] in the file, for error messages.
func encodeChurn(path string, header []string, recs [][]string, rowBase int) (*table, error) {
	idx := columnIndex(header)
	for _, c := range []string{"state", "churn", "area_code", "international_plan", "voice_mail_plan"} {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("%s: no column %q; is this mlc_churn.csv?", path, c)
		}
	}
	var numeric []int // source columns kept as features, in file order
	t := &table{}
	for i, h := range header {
		switch h {
		case "state", "churn", "area_code":
			continue
		}
		numeric = append(numeric, i)
		t.names = append(t.names, h)
	}
	t.names = append(t.names, areaCodes...)
	d := len(t.names)
	t.x = make([]float64, 0, len(recs)*d)
	t.y = make([]float64, 0, len(recs))
	for r, rec := range recs {
		row := rowBase + r + 1 // 1-based data row
		for _, c := range numeric {
			switch header[c] {
			case "international_plan", "voice_mail_plan":
				t.x = append(t.x, yesNo(rec[c]))
			default:
				v, err := strconv.ParseFloat(rec[c], 64)
				if err != nil {
					return nil, fmt.Errorf("%s: data row %d, column %s: %q is not a number", path, row, header[c], rec[c])
				}
				t.x = append(t.x, v)
			}
		}
		code := rec[idx["area_code"]]
		found := false
		for _, ac := range areaCodes {
			if code == ac {
				t.x = append(t.x, 1)
				found = true
			} else {
				t.x = append(t.x, 0)
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: data row %d: unexpected area_code %q; want one of %v", path, row, code, areaCodes)
		}
		t.y = append(t.y, yesNo(rec[idx["churn"]]))
	}
	return t, nil
}

// yesNo is pandas' (col == "yes"): 1 for "yes", else 0.
func yesNo(s string) float64 {
	if s == "yes" {
		return 1
	}
	return 0
}

// loadSynthetic loads gen_synthetic.py's CSVs: columns f0..f19 (every
// column but label, in file order) and label.
func loadSynthetic(trainPath, testPath string) (train, test *table, err error) {
	if train, err = readNumeric(trainPath); err != nil {
		return nil, nil, err
	}
	if test, err = readNumeric(testPath); err != nil {
		return nil, nil, err
	}
	if len(train.names) != len(test.names) {
		return nil, nil, fmt.Errorf("%s has %d features, %s has %d", trainPath, len(train.names), testPath, len(test.names))
	}
	return train, test, nil
}

func readNumeric(path string) (*table, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w; run /usr/bin/python3 bench/ml/gen_synthetic.py first", err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	header = append([]string(nil), header...)
	label := -1
	t := &table{}
	for i, h := range header {
		if h == "label" {
			label = i
			continue
		}
		t.names = append(t.names, h)
	}
	if label < 0 {
		return nil, fmt.Errorf("%s: no column \"label\"", path)
	}
	r.FieldsPerRecord = len(header)
	for row := 1; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: data row %d, column %s: %q is not a number", path, row, header[i], s)
			}
			if i == label {
				t.y = append(t.y, v)
			} else {
				t.x = append(t.x, v)
			}
		}
	}
	return t, nil
}
