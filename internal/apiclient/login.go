package apiclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"
)

// Cognito names the user pool's app client the API trusts.
type Cognito struct {
	Region     string `json:"region"`
	UserPoolID string `json:"userPoolId,omitempty"`
	ClientID   string `json:"clientId"`
}

// Tokens are what a login gives: the ID token is the one the API reads
// (its custom:tenant and cognito:groups claims); the refresh token gets a
// new one when it expires.
type Tokens struct {
	IDToken      string    `json:"idToken"`
	AccessToken  string    `json:"accessToken,omitempty"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	ExpiresAt    time.Time `json:"expiresAt"`
}

// Login signs user in with their password (InitiateAuth,
// USER_PASSWORD_AUTH). The SDK reads AWS_ENDPOINT_URL, so the same call
// reaches the local cloud.
func Login(ctx context.Context, c Cognito, user, password string) (Tokens, error) {
	return initiate(ctx, c, ciptypes.AuthFlowTypeUserPasswordAuth, map[string]string{"USERNAME": user, "PASSWORD": password}, "")
}

// Refresh gets a new ID token with a refresh token (REFRESH_TOKEN_AUTH);
// the refresh token itself stays the same.
func Refresh(ctx context.Context, c Cognito, refreshToken string) (Tokens, error) {
	return initiate(ctx, c, ciptypes.AuthFlowTypeRefreshTokenAuth, map[string]string{"REFRESH_TOKEN": refreshToken}, refreshToken)
}

func initiate(ctx context.Context, c Cognito, flow ciptypes.AuthFlowType, params map[string]string, refreshToken string) (Tokens, error) {
	if c.ClientID == "" {
		return Tokens{}, errors.New("the user pool's app client id is not set")
	}
	// InitiateAuth is called without AWS credentials, as a user's
	// machine has none: the password or refresh token is the credential.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(c.Region), config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	out, err := cip.NewFromConfig(cfg).InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &c.ClientID, AuthFlow: flow, AuthParameters: params})
	if err != nil {
		return Tokens{}, loginError(err)
	}
	r := out.AuthenticationResult
	if r == nil {
		return Tokens{}, fmt.Errorf("login: the user pool asks for %s, which this client does not answer; sign in once in the browser", out.ChallengeName)
	}
	t := Tokens{
		IDToken: aws.ToString(r.IdToken), AccessToken: aws.ToString(r.AccessToken), RefreshToken: aws.ToString(r.RefreshToken),
		ExpiresAt: time.Now().Add(time.Duration(r.ExpiresIn) * time.Second),
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	if exp, ok := expiryOf(t.IDToken); ok {
		t.ExpiresAt = exp
	}
	return t, nil
}

// loginError says in words why Cognito refused.
func loginError(err error) error {
	var notAuth *ciptypes.NotAuthorizedException
	var noUser *ciptypes.UserNotFoundException
	switch {
	case errors.As(err, &notAuth):
		return &Error{Status: 401, Code: "not_authorized", Message: "the user name or password is wrong, or the session has ended: log in again"}
	case errors.As(err, &noUser):
		return &Error{Status: 401, Code: "not_authorized", Message: "the user name or password is wrong"}
	}
	return fmt.Errorf("login: %w", err)
}

// expiryOf reads a token's exp claim. The token is not checked: the API
// checks it; the client only needs to know when to refresh.
func expiryOf(token string) (time.Time, bool) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return time.Time{}, false
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return time.Time{}, false
	}
	return exp.Time, true
}

// Session hands out an ID token, refreshing it when it has expired (or
// will within a minute). Saved, when set, is told the new tokens, so a CLI
// can keep them for its next run. Safe for concurrent use.
type Session struct {
	Cognito Cognito
	Saved   func(Tokens) error

	mu     sync.Mutex
	tokens Tokens
}

// NewSession starts a session from tokens of an earlier login.
func NewSession(c Cognito, t Tokens, saved func(Tokens) error) *Session {
	return &Session{Cognito: c, Saved: saved, tokens: t}
}

// refreshMargin is how long before its expiry a token is renewed, so that
// it does not expire on its way to the API.
const refreshMargin = time.Minute

// Token returns a valid ID token; use it as Client.Token.
func (s *Session) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Until(s.tokens.ExpiresAt) > refreshMargin {
		return s.tokens.IDToken, nil
	}
	if s.tokens.RefreshToken == "" {
		return "", &Error{Status: 401, Message: "the session has expired: run crmimport login"}
	}
	t, err := Refresh(ctx, s.Cognito, s.tokens.RefreshToken)
	if err != nil {
		return "", err
	}
	s.tokens = t
	if s.Saved != nil {
		if err := s.Saved(t); err != nil {
			return "", err
		}
	}
	return t.IDToken, nil
}
