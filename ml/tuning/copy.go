package tuning

import (
	"fmt"
	"reflect"

	"github.com/sluice-dev/sluice/ml"
)

// Copier is implemented by stages that copy themselves (Spark's copy).
// CopyStage uses it when present; stages that hold other stages outside a
// Pipeline (a meta-estimator's base classifier, say) implement it so that
// the copy does not share them.
type Copier interface {
	// CopyStage returns an independent copy whose params can be changed
	// without affecting the original.
	CopyStage() ml.Stage
}

// CopyStage returns a copy of s whose params can be set without changing
// s. A Copier copies itself; a Pipeline is copied stage by stage;
// anything else must be a pointer to a struct, which is copied field by
// field with its params struct (what Params returns) deep-copied, slices
// included. Other state (a fitted model's tables) is shared, which is
// safe as long as nothing mutates it; estimators hold none before Fit.
// A stage that cannot be copied this way is an error naming it.
func CopyStage(s ml.Stage) (ml.Stage, error) {
	switch s := s.(type) {
	case Copier:
		return s.CopyStage(), nil
	case *ml.Pipeline:
		out := &ml.Pipeline{Stages: make([]ml.Stage, len(s.Stages))}
		for i, st := range s.Stages {
			c, err := CopyStage(st)
			if err != nil {
				return nil, fmt.Errorf("stage %d: %w", i, err)
			}
			out.Stages[i] = c
		}
		return out, nil
	}
	return reflectCopy(s)
}

func reflectCopy(s ml.Stage) (ml.Stage, error) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("cannot copy stage %s (%T): want a pointer to a struct, or implement tuning.Copier", s.StageName(), s)
	}
	nv := reflect.New(v.Elem().Type())
	nv.Elem().Set(v.Elem())
	out := nv.Interface().(ml.Stage)
	oldP, newP := s.Params(), out.Params()
	if oldP == nil || newP == nil {
		return out, nil
	}
	pv := reflect.ValueOf(newP)
	if pv.Kind() != reflect.Pointer || pv.IsNil() || pv.Elem().Kind() != reflect.Struct {
		return out, nil
	}
	if pv.Pointer() == reflect.ValueOf(oldP).Pointer() {
		// The params live behind a pointer field: give the copy its own.
		fresh := reflect.New(pv.Elem().Type())
		fresh.Elem().Set(pv.Elem())
		replaced := false
		st := nv.Elem()
		for i := range st.NumField() {
			fv := st.Field(i)
			if fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Pointer() == pv.Pointer() && fv.CanSet() {
				fv.Set(fresh)
				replaced = true
			}
		}
		if !replaced {
			return nil, fmt.Errorf("cannot copy stage %s (%T): its params are behind a pointer this package cannot replace; implement tuning.Copier", s.StageName(), s)
		}
		pv = fresh
	}
	deepCopySlices(pv.Elem())
	return out, nil
}

// deepCopySlices replaces every settable slice in struct v (embedded
// structs and slices of slices included) with a copy.
func deepCopySlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				deepCopySlices(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			deepCopySlices(c.Index(i))
		}
		v.Set(c)
	}
}

// Apply returns a copy of est (see CopyStage) with pm's values set; est
// is not changed. Each pair's stage is found in est as ParamRef says;
// unknown or ambiguous stages, unknown params (with the nearest name
// suggested), values of the wrong type and values the stage's Validate
// rejects are errors naming the pair.
func (pm ParamMap) Apply(est ml.Estimator) (ml.Estimator, error) {
	if est == nil {
		return nil, fmt.Errorf("apply %s: no estimator", pm)
	}
	paths := make([][]int, len(pm))
	for i, p := range pm {
		path, err := resolve(est, p.Ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Ref, err)
		}
		paths[i] = path
	}
	cp, err := CopyStage(est)
	if err != nil {
		return nil, err
	}
	var touched []ml.Stage
	for i, p := range pm {
		s, err := follow(cp, paths[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Ref, err)
		}
		if err := ml.SetParam(s, p.Ref.Param, p.Value); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Ref, err)
		}
		if pv := reflect.ValueOf(s.Params()); pv.Kind() == reflect.Pointer && !pv.IsNil() && pv.Elem().Kind() == reflect.Struct {
			deepCopySlices(pv.Elem()) // the value may be shared with other maps
		}
		touched = append(touched, s)
	}
	for _, s := range touched {
		if v, ok := s.Params().(ml.Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("%s with %s: %w", s.StageName(), pm, err)
			}
		}
	}
	out, ok := cp.(ml.Estimator)
	if !ok {
		return nil, fmt.Errorf("the copy of %s is not an Estimator", est.StageName())
	}
	return out, nil
}
