-- GROUP BY a table's primary key, selecting its other columns (functional dependency;
-- Django's annotate() writes exactly this). Other ungrouped columns stay 42803.

CREATE TABLE d32_author (id int PRIMARY KEY, name text, city text);
CREATE TABLE d32_book (id int PRIMARY KEY, author_id int, price numeric(8,2));
CREATE TABLE d32_pair (a int, b int, label text, PRIMARY KEY (a, b));
INSERT INTO d32_author VALUES (1, 'Ann', 'Oslo'), (2, 'Bob', 'Rome'), (3, 'Cy', NULL);
INSERT INTO d32_book VALUES (1, 1, 9.99), (2, 1, 5.00), (3, 2, 7.50);
INSERT INTO d32_pair VALUES (1, 1, 'x'), (1, 2, 'y');
SELECT "d32_author"."name" AS "name", COUNT("d32_book"."id") AS "n", SUM("d32_book"."price") AS "s" FROM "d32_author" LEFT OUTER JOIN "d32_book" ON ("d32_author"."id" = "d32_book"."author_id") GROUP BY "d32_author"."id" ORDER BY 1;
SELECT a.name, a.city, count(*) AS n FROM d32_author a JOIN d32_book b ON b.author_id = a.id GROUP BY a.id HAVING count(*) > 1 ORDER BY a.city;
SELECT name, upper(city) AS c FROM d32_author GROUP BY id ORDER BY name;
SELECT label, count(*) FROM d32_pair GROUP BY a, b ORDER BY label;
SELECT a.name, (SELECT max(price) FROM d32_book WHERE author_id = a.id) AS top FROM d32_author a GROUP BY a.id ORDER BY a.id;
-- error: 42803
SELECT label, count(*) FROM d32_pair GROUP BY a;
-- error: 42803
SELECT a.name, count(*) FROM d32_author a JOIN d32_book b ON b.author_id = a.id GROUP BY b.id;
-- error: 42803
SELECT name, count(*) FROM d32_author GROUP BY city;
DROP TABLE d32_pair;
DROP TABLE d32_book;
DROP TABLE d32_author;
