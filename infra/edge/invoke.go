package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// invokePath recognises the Lambda Invoke API:
// POST /2015-03-31/functions/{name, ARN or partial ARN}/invocations.
func invokePath(r *http.Request) (string, bool) {
	if r.Method != http.MethodPost {
		return "", false
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
	if !ok {
		return "", false
	}
	name, ok := strings.CutSuffix(rest, "/invocations")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	name, err := url.PathUnescape(name)
	if err != nil {
		return "", false
	}
	if q := r.URL.Query().Get("Qualifier"); q != "" && !strings.HasPrefix(name, "arn:") {
		name += ":" + q
	}
	return name, true
}

func (e *edge) serveInvoke(w http.ResponseWriter, r *http.Request, name string) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		awsError(w, http.StatusBadRequest, "InvalidRequestContentException", "read payload: "+err.Error())
		return
	}
	if len(payload) > maxPayload {
		awsError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		awsError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}
	clientContext := r.Header.Get("X-Amz-Client-Context")

	switch r.Header.Get("X-Amz-Invocation-Type") {
	case "DryRun":
		if _, err := e.describe(r.Context(), name); err != nil {
			e.invokeFailed(w, name, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		if _, err := e.describe(r.Context(), name); err != nil {
			e.invokeFailed(w, name, err)
			return
		}
		go func() {
			out, f, err := e.functions.invoke(context.Background(), name, payload, clientContext)
			if err != nil {
				e.logger.Error("async invoke", "function", name, "err", err)
				return
			}
			if out.ErrorType != "" {
				e.logger.Warn("async invoke failed", "function", f.Name, "errorType", out.ErrorType)
			}
		}()
		w.WriteHeader(http.StatusAccepted)
		return
	}

	out, _, err := e.functions.invoke(r.Context(), name, payload, clientContext)
	if err != nil {
		e.invokeFailed(w, name, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if out.ErrorType != "" {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.Payload)
}

func (e *edge) invokeFailed(w http.ResponseWriter, name string, err error) {
	if errors.Is(err, errFunctionNotFound) {
		awsError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	e.logger.Error("invoke", "function", name, "err", err)
	awsError(w, http.StatusBadGateway, "ServiceException", "local cloud could not run "+name+": "+err.Error())
}

// awsError answers in the shape of Lambda's REST-JSON errors.
func awsError(w http.ResponseWriter, code int, errType, msg string) {
	w.Header().Set("X-Amzn-ErrorType", errType)
	writeJSON(w, code, map[string]string{"Type": "User", "message": msg, "__type": errType})
}
