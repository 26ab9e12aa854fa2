-- One database per service (DESIGN §1); each service migrates its own at start.
CREATE DATABASE catalog;
CREATE DATABASE orders;
CREATE DATABASE fulfillment;
CREATE DATABASE payouts;
