SELECT
  *
FROM (
  SELECT
    "t7"."flow",
    "t7"."ordinal",
    'total' AS "cut",
    "t7"."member",
    "t7"."firm_id",
    "t7"."value_minor"
  FROM (
    SELECT
      "t6"."flow",
      "t6"."ordinal",
      "t6"."member",
      "t6"."firm_id",
      SUM("t6"."value_minor") AS "value_minor"
    FROM (
      SELECT
        "t4"."flow",
        "t4"."ordinal",
        "t4"."member" AS "segment",
        "t4"."firm_id",
        "t4"."value_minor",
        '_T' AS "member"
      FROM (
        SELECT
          "t2"."flow",
          "t2"."ordinal",
          "t2"."member",
          "t2"."firm_id",
          SUM("t2"."value_minor") AS "value_minor"
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
                EXTRACT(year FROM "t0"."period") * 2
              ) + CASE WHEN EXTRACT(month FROM "t0"."period") <= 6 THEN 1 ELSE 2 END
            ) - 1 AS "ordinal",
            "t0"."segment" AS "member"
          FROM "current_declarations" AS "t0"
        ) AS "t2"
        GROUP BY
          1,
          2,
          3,
          4
      ) AS "t4"
    ) AS "t6"
    GROUP BY
      1,
      2,
      3,
      4
  ) AS "t7"
) AS "t8"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t3"."flow",
    "t3"."ordinal",
    'partner' AS "cut",
    "t3"."member",
    "t3"."firm_id",
    "t3"."value_minor"
  FROM (
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
            EXTRACT(year FROM "t0"."period") * 2
          ) + CASE WHEN EXTRACT(month FROM "t0"."period") <= 6 THEN 1 ELSE 2 END
        ) - 1 AS "ordinal",
        "t0"."partner" AS "member"
      FROM "current_declarations" AS "t0"
    ) AS "t1"
    GROUP BY
      1,
      2,
      3,
      4
  ) AS "t3"
) AS "t5"
