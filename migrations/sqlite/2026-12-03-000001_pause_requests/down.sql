DROP TABLE pause_requests;
