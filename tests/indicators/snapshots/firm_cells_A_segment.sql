WITH "t2" AS (
  SELECT
    "t1"."flow",
    "t1"."ordinal",
    "t1"."member",
    "t1"."firm_id",
    SUM("t1"."value_minor") AS "value_minor"
  FROM (
    SELECT
      "t0"."load_id",
      "t0"."line",
      "t0"."declaration_id",
      "t0"."period",
      "t0"."firm_id",
      "t0"."segment",
      "t0"."ebops",
      "t0"."partner",
      "t0"."currency",
      "t0"."amount",
      "t0"."flow",
      "t0"."rate",
      "t0"."value_minor",
      (
        (
          EXTRACT(year FROM "t0"."period") * 1
        ) + 1
      ) - 1 AS "ordinal",
      "t0"."segment" AS "member"
    FROM "current_declarations" AS "t0"
  ) AS "t1"
  GROUP BY
    1,
    2,
    3,
    4
)
SELECT
  *
FROM (
  SELECT
    "t6"."flow",
    "t6"."ordinal",
    'total' AS "cut",
    "t6"."member",
    "t6"."firm_id",
    "t6"."value_minor"
  FROM (
    SELECT
      "t5"."flow",
      "t5"."ordinal",
      "t5"."member",
      "t5"."firm_id",
      SUM("t5"."value_minor") AS "value_minor"
    FROM (
      SELECT
        "t3"."flow",
        "t3"."ordinal",
        "t3"."member" AS "segment",
        "t3"."firm_id",
        "t3"."value_minor",
        '_T' AS "member"
      FROM "t2" AS "t3"
    ) AS "t5"
    GROUP BY
      1,
      2,
      3,
      4
  ) AS "t6"
) AS "t7"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t3"."flow",
    "t3"."ordinal",
    'segment' AS "cut",
    "t3"."member",
    "t3"."firm_id",
    "t3"."value_minor"
  FROM "t2" AS "t3"
) AS "t4"
