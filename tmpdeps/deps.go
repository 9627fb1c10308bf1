package tmpdeps

import (
	_ "github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	_ "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/aws/aws-sdk-go-v2/service/sfn"
	_ "github.com/aws/aws-sdk-go-v2/service/sqs"
	_ "github.com/aws/aws-sdk-go-v2/service/lambda"
	_ "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	_ "github.com/xuri/excelize/v2"
	_ "golang.org/x/text/encoding/htmlindex"
	_ "github.com/saintfish/chardet"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/spf13/cobra"
	_ "github.com/jedib0t/go-pretty/v6/table"
	_ "github.com/schollz/progressbar/v3"
)
