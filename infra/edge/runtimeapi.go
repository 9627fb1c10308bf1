package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Lambda Runtime API a function process talks to: it asks for the next
// event and posts the answer, an error, or an init error.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

func (s *sandbox) serveNext(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-s.next:
	case <-r.Context().Done():
		return
	}
	s.mu.Lock()
	s.current = inv
	s.mu.Unlock()
	deadline := time.Now().Add(inv.Timeout)
	inv.picked <- deadline
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.RequestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.FunctionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+strings.ReplaceAll(inv.RequestID, "-", "")[:24]+";Sampled=0")
	if inv.ClientContext != "" {
		if cc, err := base64.StdEncoding.DecodeString(inv.ClientContext); err == nil {
			h.Set("Lambda-Runtime-Client-Context", string(cc))
		}
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.Payload)
}

func (s *sandbox) take(id string) *invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || s.current.RequestID != id {
		return nil
	}
	inv := s.current
	s.current = nil
	return inv
}

func (s *sandbox) serveResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	inv := s.take(r.PathValue("id"))
	if inv == nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation with this request id is in progress")
		return
	}
	switch {
	case err != nil:
		inv.done <- errorOutcome("Runtime.ResponseError", err.Error())
	case len(body) > maxPayload:
		inv.done <- errorOutcome("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// A streamed response that failed half-way reports in trailers.
		errBody, _ := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
		inv.done <- outcome{Payload: errBody, ErrorType: r.Trailer.Get("Lambda-Runtime-Function-Error-Type")}
	default:
		inv.done <- outcome{Payload: body}
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *sandbox) serveError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	inv := s.take(r.PathValue("id"))
	if inv == nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation with this request id is in progress")
		return
	}
	errType := errorTypeOf(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	if errType == "" {
		errType = "Unhandled"
	}
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]string{"errorType": errType, "errorMessage": string(body)})
	}
	inv.done <- outcome{Payload: body, ErrorType: errType}
	w.WriteHeader(http.StatusAccepted)
}

func (s *sandbox) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	errType := errorTypeOf(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	if errType == "" {
		errType = "Runtime.InitError"
	}
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]string{"errorType": errType, "errorMessage": string(body)})
	}
	select {
	case s.failed <- string(body):
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

// errorTypeOf reads errorType from a Lambda error payload, else def.
func errorTypeOf(body []byte, def string) string {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &e) == nil && e.ErrorType != "" {
		return e.ErrorType
	}
	return def
}

func runtimeError(w http.ResponseWriter, code int, errType, msg string) {
	writeJSON(w, code, map[string]string{"errorType": errType, "errorMessage": msg})
}
