package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// checkRequest rejects what the standard library would otherwise drop in
// silence, each with the parameter it concerns: a query that does not parse
// (a bad % escape, a semicolon, more parameters than url.ParseQuery takes),
// whose dropped pairs would widen the answer (country=JP% answered every
// country); and a NUL byte in the path or a parameter, which no identifier
// holds and PostgreSQL refuses. It returns the problem, or nil.
func checkRequest(r *http.Request) *problem {
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return &problem{Status: http.StatusBadRequest, Detail: "the path holds a NUL byte"}
	}
	raw := r.URL.RawQuery
	if raw == "" || !strings.ContainsAny(raw, "%;") && len(raw) < 10000 {
		return nil // nothing to unescape, too short for too many parameters
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return &problem{Status: http.StatusBadRequest, Param: badParam(raw),
			Detail: fmt.Sprintf("the query does not parse (%v): escape %% as %%25 and separate parameters with &", err)}
	}
	for k, vs := range q {
		if strings.IndexByte(k, 0) >= 0 {
			return &problem{Status: http.StatusBadRequest, Detail: "a parameter name holds a NUL byte"}
		}
		for _, v := range vs {
			if strings.IndexByte(v, 0) >= 0 {
				return &problem{Status: http.StatusBadRequest, Param: k, Detail: k + ": the value holds a NUL byte"}
			}
		}
	}
	return nil
}

// badParam names the first parameter of raw that does not parse, or "".
func badParam(raw string) string {
	for pair := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(pair, "=")
		_, errK := url.QueryUnescape(k)
		_, errV := url.QueryUnescape(v)
		if errK != nil || errV != nil || strings.Contains(pair, ";") {
			if name, err := url.QueryUnescape(k); err == nil {
				return name
			}
			return ""
		}
	}
	return ""
}
