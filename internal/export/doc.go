// Package export reads the exports of the table that are the imports'
// restore points (ExportTableToPointInTime, DynamoDB JSON) from the
// bucket, one item at a time: the export covers the whole table, every
// tenant, so it is never read into memory, and a reader yields one
// tenant's record items only.
package export
