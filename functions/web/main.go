// Command web serves the import wizard's page (package web) from the
// stack's HTTP API.
package main

import (
	"cmp"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/crmimport/crm-import/web"
)

func main() {
	region := cmp.Or(os.Getenv("AWS_REGION"), "us-east-1")
	// On the local cloud the pool answers at the endpoint every client
	// uses; on AWS at Cognito's regional endpoint.
	cognito := cmp.Or(os.Getenv("COGNITO_URL"), os.Getenv("AWS_ENDPOINT_URL"), "https://cognito-idp."+region+".amazonaws.com/")
	s := web.New(web.Config{ClientID: os.Getenv("USER_POOL_CLIENT_ID"), Region: region, CognitoURL: cognito, Entities: web.Entities()})
	lambda.Start(s.Handle)
}
