// What the harness needs from inside package reflect. reflect.RegabiProbeFuncLayout
// and reflect.RegabiRealexecSetCallGC are not part of Go: the driver adds
// tests/gotool/reflectprobe_internal_test.go (and the setter) to package reflect
// with `go build -overlay` (GOROOT is not modified). They only add functions;
// nothing reflect.Value.Call runs is changed.

package main

import (
	"reflect"
	"strconv"
)

// enableCallGC turns on reflect's callGC test hook (see driver.SETTINGS).
func enableCallGC() { reflect.RegabiRealexecSetCallGC(true) }

// printLayouts writes one JSON line per (signature, receiver form): funcLayout
// of the method type with receiver nil ("func"), R<i> ("recv"), *R<i>
// ("recvptr"), and of the method expression R<i>.MV ("methodfunc"), which is
// what the call paths in rt.go make reflect compute.
func printLayouts() {
	for si := range sigs {
		s := &sigs[si]
		ft := reflect.TypeOf(s.fn)
		mv, _ := s.recv.MethodByName("MV")
		forms := []struct {
			name     string
			fn, rcvr reflect.Type
		}{
			{"func", ft, nil},
			{"recv", ft, s.recv},
			{"recvptr", ft, reflect.PointerTo(s.recv)},
			{"methodfunc", mv.Type, nil},
		}
		for _, f := range forms {
			b := []byte(`{"sig":`)
			b = strconv.AppendInt(b, int64(si), 10)
			b = append(b, `,"form":`...)
			b = jstr(b, f.name)
			b = append(b, `,"layout":`...)
			b = jsonValue(b, reflect.ValueOf(reflect.RegabiProbeFuncLayout(f.fn, f.rcvr)))
			write(append(b, "}\n"...))
		}
	}
}

// jsonValue marshals the probe's record types (structs with json tags, ints,
// strings, bools, slices, pointers) without encoding/json.
func jsonValue(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return jsonValue(b, v.Elem())
	case reflect.Struct:
		b = append(b, '{')
		n := 0
		for i := 0; i < v.NumField(); i++ {
			tag, omitEmpty := v.Type().Field(i).Tag.Get("json"), false
			for j := 0; j < len(tag); j++ {
				if tag[j] == ',' {
					tag, omitEmpty = tag[:j], tag[j+1:] == "omitempty"
					break
				}
			}
			if tag == "" || tag == "-" || (omitEmpty && v.Field(i).IsZero()) {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = jstr(b, tag)
			b = append(b, ':')
			b = jsonValue(b, v.Field(i))
		}
		return append(b, '}')
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonValue(b, v.Index(i))
		}
		return append(b, ']')
	case reflect.Int:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.String:
		return jstr(b, v.String())
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	}
	panic("realexec: jsonValue: unsupported kind " + v.Kind().String())
}
