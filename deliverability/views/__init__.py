"""German presentation for people, a leaf that no analysis imports: number and date formats
(`format`), tables (`tables`), the chart palette (`palette`) and the overviews of each
analysis as notebooks and commands show them (`suppression`, `funnel`, `validation`,
`bounces`, `limits`, `limit_charts`)."""
