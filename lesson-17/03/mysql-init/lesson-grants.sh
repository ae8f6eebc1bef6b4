# Run once by the MySQL image, on an empty volume, after it has made MYSQL_USER with all
# rights on MYSQL_DATABASE: that user may also make and use the databases named after
# it (demo_migrations, which migrate.py creates). Nothing on the server as a whole.
# `make services` checks the same on every start (tools/services/mysql.py).
docker_process_sql --database=mysql <<-EOSQL
	GRANT ALL PRIVILEGES ON \`${MYSQL_DATABASE}\\_%\`.* TO '${MYSQL_USER}'@'%';
EOSQL
