// Command porcupine checks a recorded etcdfit history for linearizability with
// github.com/anishathalye/porcupine, against a key-value model partitioned by key.
//
//	porcupine < history.json > verdict.json
//
// The input is {"operations": [...], "timeout_s": N, "visualization": "path.html"};
// each operation is one of put / get / cas / delete on one key, with its client,
// call and return times (ns) and its output. An operation whose outcome is unknown
// (a failed or timed-out write: it may or may not have been applied) has
// "unknown": true and a return time of -1, meaning "never returned": it stays
// open to the end of the history. The verdict is {"result": "ok" | "illegal" |
// "unknown", "visualization": path-or-empty}; the HTML is written only for "illegal".
// Driver side: etcdfit/history/linearizability.py.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

type op struct {
	Client int    `json:"client"`
	Op     string `json:"op"` // put | get | cas | delete
	Key    string `json:"key"`
	Value  string `json:"value"` // put / cas: the value written
	// cas: the compare (value == Expect, or the key absent when ExpectAbsent).
	Expect       string `json:"expect"`
	ExpectAbsent bool   `json:"expect_absent"`
	// Outputs.
	OutValue   string `json:"out_value"`   // get
	OutPresent bool   `json:"out_present"` // get
	Succeeded  bool   `json:"succeeded"`   // cas
	Deleted    int64  `json:"deleted"`     // delete
	Unknown    bool   `json:"unknown"`
	Call       int64  `json:"call"`
	Return     int64  `json:"return"`
	Label      string `json:"label"` // shown in the visualization
}

type request struct {
	Operations    []op    `json:"operations"`
	TimeoutS      float64 `json:"timeout_s"`
	Visualization string  `json:"visualization"`
}

type verdict struct {
	Result        string `json:"result"`
	Visualization string `json:"visualization"`
	Operations    int    `json:"operations"`
	Error         string `json:"error,omitempty"`
}

// state of one key: absent, or present with a value.
type state struct {
	Present bool
	Value   string
}

func step(s0, in, out interface{}) (bool, interface{}) {
	s := s0.(state)
	o := in.(op)
	r := out.(op)
	switch o.Op {
	case "put":
		return true, state{true, o.Value}
	case "get":
		if r.Unknown {
			return true, s
		}
		return r.OutPresent == s.Present && (!s.Present || r.OutValue == s.Value), s
	case "cas":
		holds := (o.ExpectAbsent && !s.Present) || (!o.ExpectAbsent && s.Present && s.Value == o.Expect)
		if r.Unknown {
			if holds {
				return true, state{true, o.Value}
			}
			return true, s
		}
		if r.Succeeded != holds {
			return false, s
		}
		if holds {
			return true, state{true, o.Value}
		}
		return true, s
	case "delete":
		if r.Unknown {
			return true, state{}
		}
		want := int64(0)
		if s.Present {
			want = 1
		}
		return r.Deleted == want, state{}
	}
	return false, s
}

func describe(in, out interface{}) string {
	o, r := in.(op), out.(op)
	res := ""
	switch {
	case r.Unknown:
		res = "?"
	case o.Op == "get" && !r.OutPresent:
		res = "absent"
	case o.Op == "get":
		res = fmt.Sprintf("%q", r.OutValue)
	case o.Op == "cas":
		res = fmt.Sprintf("succeeded=%t", r.Succeeded)
	case o.Op == "delete":
		res = fmt.Sprintf("deleted=%d", r.Deleted)
	default:
		res = "ok"
	}
	arg := ""
	switch o.Op {
	case "put":
		arg = fmt.Sprintf(", %q", o.Value)
	case "cas":
		if o.ExpectAbsent {
			arg = fmt.Sprintf(", absent -> %q", o.Value)
		} else {
			arg = fmt.Sprintf(", %q -> %q", o.Expect, o.Value)
		}
	}
	label := ""
	if o.Label != "" {
		label = " [" + o.Label + "]"
	}
	return fmt.Sprintf("%s(%s%s) -> %s%s", o.Op, o.Key, arg, res, label)
}

var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, h := range history {
			k := h.Input.(op).Key
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], h)
		}
		out := make([][]porcupine.Operation, 0, len(order))
		for _, k := range order {
			out = append(out, byKey[k])
		}
		return out
	},
	Init:              func() interface{} { return state{} },
	Step:              step,
	Equal:             func(a, b interface{}) bool { return a.(state) == b.(state) },
	DescribeOperation: describe,
	DescribeState: func(s interface{}) string {
		st := s.(state)
		if !st.Present {
			return "absent"
		}
		return fmt.Sprintf("%q", st.Value)
	},
}

func run(stdin io.Reader, stdout io.Writer) error {
	var req request
	dec := json.NewDecoder(stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("reading the history (JSON on stdin): %w", err)
	}
	ops := make([]porcupine.Operation, 0, len(req.Operations))
	for i, o := range req.Operations {
		switch o.Op {
		case "put", "get", "cas", "delete":
		default:
			return fmt.Errorf("operation %d: unknown op %q (put, get, cas, delete)", i, o.Op)
		}
		ret := o.Return
		if ret < 0 { // never returned: open to the end of the history
			ret = math.MaxInt64 - int64(len(req.Operations)) + int64(i)
		}
		if ret < o.Call {
			return fmt.Errorf("operation %d: return %d before call %d", i, ret, o.Call)
		}
		ops = append(ops, porcupine.Operation{ClientId: o.Client, Input: o, Call: o.Call, Output: o, Return: ret})
	}
	timeout := time.Duration(req.TimeoutS * float64(time.Second))
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	v := verdict{Operations: len(ops)}
	switch res {
	case porcupine.Ok:
		v.Result = "ok"
	case porcupine.Illegal:
		v.Result = "illegal"
		if req.Visualization != "" {
			if err := porcupine.VisualizePath(model, info, req.Visualization); err != nil {
				v.Error = "writing the visualization: " + err.Error()
			} else {
				v.Visualization = req.Visualization
			}
		}
	default:
		v.Result = "unknown"
	}
	return json.NewEncoder(stdout).Encode(v)
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "porcupine:", err)
		os.Exit(2)
	}
}
