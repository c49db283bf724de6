DROP TABLE calendar_coverage;
