package cache

import (
	"reflect"
	"unsafe"
)

// SizeOf estimates the bytes that v holds: the memory its pointers, slices
// (their capacity), maps and strings reach, followed transitively, each
// block once. It does not descend into pointers whose type skip reports
// (what v shares with others: the snapshot it was built from, entries of
// other caches), nor into channels and functions. Maps are counted at
// their entries' sizes plus a fixed overhead per entry, an estimate of the
// runtime's buckets.
//
// v must not change while it is measured (measure a value once it is
// built, or under its own lock).
func SizeOf(v any, skip func(reflect.Type) bool) int64 {
	if v == nil {
		return 0
	}
	w := sizer{seen: map[uintptr]bool{}, skip: skip, ptrs: map[reflect.Type]bool{}}
	rv := reflect.ValueOf(v)
	n := int64(rv.Type().Size())
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		// The root is the value itself, even of a type skip names.
		w.seen[rv.Pointer()] = true
		rv = rv.Elem()
		n += int64(rv.Type().Size())
	}
	return n + w.inner(rv)
}

const mapEntryOverhead = 16

type sizer struct {
	seen map[uintptr]bool
	skip func(reflect.Type) bool
	ptrs map[reflect.Type]bool // hasPointers, by type
}

func (w *sizer) hasPointers(t reflect.Type) bool {
	p, ok := w.ptrs[t]
	if !ok {
		p = hasPointers(t)
		w.ptrs[t] = p
	}
	return p
}

// inner returns the bytes v reaches outside its own Size.
func (w *sizer) inner(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || (w.skip != nil && w.skip(v.Type())) || w.seen[v.Pointer()] {
			return 0
		}
		w.seen[v.Pointer()] = true
		e := v.Elem()
		return int64(e.Type().Size()) + w.inner(e)
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			return w.inner(e)
		}
		return int64(e.Type().Size()) + w.inner(e)
	case reflect.String:
		if v.Len() == 0 {
			return 0
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(v.String())))
		if w.seen[p] {
			return 0
		}
		w.seen[p] = true
		return int64(v.Len())
	case reflect.Slice:
		if v.IsNil() || v.Cap() == 0 {
			return 0
		}
		p := v.Pointer()
		if w.seen[p] {
			return 0
		}
		w.seen[p] = true
		et := v.Type().Elem()
		n := int64(v.Cap()) * int64(et.Size())
		if w.hasPointers(et) {
			for i := range v.Len() {
				n += w.inner(v.Index(i))
			}
		}
		return n
	case reflect.Array:
		var n int64
		if w.hasPointers(v.Type().Elem()) {
			for i := range v.Len() {
				n += w.inner(v.Index(i))
			}
		}
		return n
	case reflect.Struct:
		var n int64
		for i := range v.NumField() {
			if f := v.Field(i); w.hasPointers(f.Type()) {
				n += w.inner(f)
			}
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return 0
		}
		p := v.Pointer()
		if w.seen[p] {
			return 0
		}
		w.seen[p] = true
		kt, vt := v.Type().Key(), v.Type().Elem()
		n := int64(v.Len()) * (int64(kt.Size()) + int64(vt.Size()) + mapEntryOverhead)
		if w.hasPointers(kt) || w.hasPointers(vt) {
			it := v.MapRange()
			for it.Next() {
				n += w.inner(it.Key()) + w.inner(it.Value())
			}
		}
		return n
	}
	return 0
}

// hasPointers reports whether a value of type t can reach memory outside
// itself.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface:
		return true
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
