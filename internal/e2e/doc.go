// Package e2e holds the end-to-end tests of the deployed stack: files are
// put in S3 and everything else happens as in AWS, through the S3 event, the
// SQS queue, the trigger, the Step Functions workflow and its Lambdas, down
// to the records in DynamoDB, which the tests read back through the SDK.
package e2e
