WITH "t4" AS (
  SELECT
    "t1"."flow",
    "t1"."ordinal",
    "t1"."member",
    SUM("t1"."value_minor") AS "value_minor",
    COUNT(DISTINCT "t1"."firm_id") AS "firms"
  FROM (
    SELECT
      "t0"."period",
      "t0"."firm_id",
      "t0"."segment",
      "t0"."partner",
      "t0"."currency",
      "t0"."flow",
      "t0"."value_minor",
      EXTRACT(year FROM "t0"."period") AS "year",
      1 AS "sub",
      (
        (
          EXTRACT(year FROM "t0"."period") * 1
        ) + 1
      ) - 1 AS "ordinal",
      "t0"."segment" AS "member"
    FROM "temp"."main"."CACHED" AS "t0"
  ) AS "t1"
  GROUP BY
    1,
    2,
    3
), "t5" AS (
  SELECT
    "t2"."ordinal",
    "t2"."year",
    "t2"."sub",
    COUNT(DISTINCT "t2"."period") AS "months"
  FROM (
    SELECT
      "t0"."period",
      "t0"."firm_id",
      "t0"."segment",
      "t0"."partner",
      "t0"."currency",
      "t0"."flow",
      "t0"."value_minor",
      EXTRACT(year FROM "t0"."period") AS "year",
      1 AS "sub",
      (
        (
          EXTRACT(year FROM "t0"."period") * 1
        ) + 1
      ) - 1 AS "ordinal"
    FROM "temp"."main"."CACHED" AS "t0"
  ) AS "t2"
  GROUP BY
    1,
    2,
    3
), "t23" AS (
  SELECT
    "t19"."flow",
    "t19"."ordinal",
    "t19"."total_minor",
    "t19"."year",
    "t19"."sub",
    "t19"."months",
    "t19"."period",
    "t19"."complete",
    SUM("t19"."total_minor") OVER (
      PARTITION BY "t19"."flow", "t19"."year"
      ORDER BY "t19"."sub" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "total_ytd_minor"
  FROM (
    SELECT
      "t12"."flow",
      "t12"."ordinal",
      "t12"."total_minor",
      "t17"."year",
      "t17"."sub",
      "t17"."months",
      "t17"."period",
      "t17"."complete"
    FROM (
      SELECT
        "t6"."flow",
        "t6"."ordinal",
        "t6"."value_minor" AS "total_minor"
      FROM (
        SELECT
          "t3"."flow",
          "t3"."ordinal",
          "t3"."member",
          SUM("t3"."value_minor") AS "value_minor",
          COUNT(DISTINCT "t3"."firm_id") AS "firms"
        FROM (
          SELECT
            "t0"."period",
            "t0"."firm_id",
            "t0"."segment",
            "t0"."partner",
            "t0"."currency",
            "t0"."flow",
            "t0"."value_minor",
            EXTRACT(year FROM "t0"."period") AS "year",
            1 AS "sub",
            (
              (
                EXTRACT(year FROM "t0"."period") * 1
              ) + 1
            ) - 1 AS "ordinal",
            '_T' AS "member"
          FROM "temp"."main"."CACHED" AS "t0"
        ) AS "t3"
        GROUP BY
          1,
          2,
          3
      ) AS "t6"
    ) AS "t12"
    INNER JOIN (
      SELECT
        "t8"."ordinal",
        "t8"."year",
        "t8"."sub",
        "t8"."months",
        CAST("t8"."year" AS TEXT) AS "period",
        "t8"."months" >= 12 AS "complete"
      FROM "t5" AS "t8"
    ) AS "t17"
      ON "t12"."ordinal" = "t17"."ordinal"
  ) AS "t19"
)
SELECT
  "t43"."flow",
  "t43"."ordinal",
  "t43"."member",
  "t43"."value_minor",
  "t43"."firms",
  "t43"."year",
  "t43"."sub",
  "t43"."months",
  "t43"."period",
  "t43"."complete",
  "t43"."ytd_minor",
  "t43"."total_minor",
  "t43"."total_ytd_minor",
  "t43"."py_total_minor",
  "t43"."py_minor",
  "t43"."py_ytd_minor",
  "t43"."pp_minor",
  CAST("t43"."value_minor" AS DOUBLE) / 100 AS "level",
  (
    (
      CAST("t43"."value_minor" AS DOUBLE) / CAST(NULLIF("t43"."py_minor", 0) AS DOUBLE)
    ) - 1
  ) * 100 AS "growth_yoy",
  (
    (
      CAST("t43"."value_minor" AS DOUBLE) / CAST(NULLIF("t43"."pp_minor", 0) AS DOUBLE)
    ) - 1
  ) * 100 AS "growth_pop",
  (
    CAST("t43"."value_minor" AS DOUBLE) / CAST(NULLIF("t43"."total_minor", 0) AS DOUBLE)
  ) * 100 AS "share",
  (
    CAST("t43"."value_minor" - COALESCE("t43"."py_minor", 0) AS DOUBLE) / CAST(NULLIF("t43"."py_total_minor", 0) AS DOUBLE)
  ) * 100 AS "contribution",
  CAST("t43"."ytd_minor" AS DOUBLE) / 100 AS "ytd_level",
  (
    (
      CAST("t43"."ytd_minor" AS DOUBLE) / CAST(NULLIF("t43"."py_ytd_minor", 0) AS DOUBLE)
    ) - 1
  ) * 100 AS "ytd_growth",
  (
    CAST("t43"."value_minor" AS DOUBLE) / 100
  ) / CAST(NULLIF("t43"."firms", 0) AS DOUBLE) AS "avg_per_firm"
FROM (
  SELECT
    "t42".*
    EXCLUDE ("flow_right", "member_right", "ordinal_right")
  FROM (
    SELECT
      "t41"."flow",
      "t41"."ordinal",
      "t41"."member",
      "t41"."value_minor",
      "t41"."firms",
      "t41"."year",
      "t41"."sub",
      "t41"."months",
      "t41"."period",
      "t41"."complete",
      "t41"."ytd_minor",
      "t41"."total_minor",
      "t41"."total_ytd_minor",
      "t41"."py_total_minor",
      "t41"."py_minor",
      "t41"."py_ytd_minor",
      "t37"."flow" AS "flow_right",
      "t37"."member" AS "member_right",
      "t37"."ordinal" AS "ordinal_right",
      "t37"."pp_minor"
    FROM (
      SELECT
        "t39".*
        EXCLUDE ("flow_right", "member_right", "ordinal_right")
      FROM (
        SELECT
          "t31"."flow",
          "t31"."ordinal",
          "t31"."member",
          "t31"."value_minor",
          "t31"."firms",
          "t31"."year",
          "t31"."sub",
          "t31"."months",
          "t31"."period",
          "t31"."complete",
          "t31"."ytd_minor",
          "t34"."total_minor",
          "t34"."total_ytd_minor",
          "t34"."py_total_minor",
          "t38"."flow" AS "flow_right",
          "t38"."member" AS "member_right",
          "t38"."ordinal" AS "ordinal_right",
          "t38"."py_minor",
          "t38"."py_ytd_minor"
        FROM (
          SELECT
            "t26"."flow",
            "t26"."ordinal",
            "t26"."member",
            "t26"."value_minor",
            "t26"."firms",
            "t26"."year",
            "t26"."sub",
            "t26"."months",
            "t26"."period",
            "t26"."complete",
            SUM("t26"."value_minor") OVER (
              PARTITION BY "t26"."flow", "t26"."member", "t26"."year"
              ORDER BY "t26"."sub" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS "ytd_minor"
          FROM (
            SELECT
              "t22"."flow",
              "t22"."ordinal",
              "t22"."member",
              "t22"."value_minor",
              "t22"."firms",
              "t17"."year",
              "t17"."sub",
              "t17"."months",
              "t17"."period",
              "t17"."complete"
            FROM (
              SELECT
                *
              FROM "t4" AS "t7"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  *
                FROM (
                  SELECT
                    "t16"."flow",
                    "t16"."ordinal",
                    "t16"."member",
                    CAST(0 AS BIGINT) AS "value_minor",
                    CAST(0 AS BIGINT) AS "firms"
                  FROM (
                    SELECT
                      "t7"."flow",
                      "t7"."member",
                      "t7"."ordinal" + 1 AS "ordinal"
                    FROM "t4" AS "t7"
                  ) AS "t16"
                  SEMI JOIN (
                    SELECT
                      "t8"."ordinal"
                    FROM "t5" AS "t8"
                  ) AS "t14"
                    ON "t16"."ordinal" = "t14"."ordinal"
                  ANTI JOIN "t4" AS "t9"
                    ON "t16"."flow" = "t9"."flow"
                    AND "t16"."ordinal" = "t9"."ordinal"
                    AND "t16"."member" = "t9"."member"
                ) AS "t18"
              ) AS "t20"
            ) AS "t22"
            INNER JOIN (
              SELECT
                "t8"."ordinal",
                "t8"."year",
                "t8"."sub",
                "t8"."months",
                CAST("t8"."year" AS TEXT) AS "period",
                "t8"."months" >= 12 AS "complete"
              FROM "t5" AS "t8"
            ) AS "t17"
              ON "t22"."ordinal" = "t17"."ordinal"
          ) AS "t26"
        ) AS "t31"
        INNER JOIN (
          SELECT
            "t32"."flow",
            "t32"."ordinal",
            "t32"."total_minor",
            "t32"."total_ytd_minor",
            "t32"."py_total_minor"
          FROM (
            SELECT
              "t28"."flow",
              "t28"."ordinal",
              "t28"."total_minor",
              "t28"."total_ytd_minor",
              "t29"."flow" AS "flow_right",
              "t29"."ordinal" AS "ordinal_right",
              "t29"."py_total_minor"
            FROM (
              SELECT
                "t24"."flow",
                "t24"."ordinal",
                "t24"."total_minor",
                "t24"."total_ytd_minor"
              FROM "t23" AS "t24"
            ) AS "t28"
            LEFT OUTER JOIN (
              SELECT
                "t24"."flow",
                "t24"."ordinal" + 1 AS "ordinal",
                "t24"."total_minor" AS "py_total_minor"
              FROM "t23" AS "t24"
            ) AS "t29"
              ON "t28"."flow" = "t29"."flow" AND "t28"."ordinal" = "t29"."ordinal"
          ) AS "t32"
        ) AS "t34"
          ON "t31"."flow" = "t34"."flow" AND "t31"."ordinal" = "t34"."ordinal"
        LEFT OUTER JOIN (
          SELECT
            "t31"."flow",
            "t31"."member",
            "t31"."ordinal" + 1 AS "ordinal",
            "t31"."value_minor" AS "py_minor",
            "t31"."ytd_minor" AS "py_ytd_minor"
          FROM (
            SELECT
              "t26"."flow",
              "t26"."ordinal",
              "t26"."member",
              "t26"."value_minor",
              "t26"."firms",
              "t26"."year",
              "t26"."sub",
              "t26"."months",
              "t26"."period",
              "t26"."complete",
              SUM("t26"."value_minor") OVER (
                PARTITION BY "t26"."flow", "t26"."member", "t26"."year"
                ORDER BY "t26"."sub" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
              ) AS "ytd_minor"
            FROM (
              SELECT
                "t22"."flow",
                "t22"."ordinal",
                "t22"."member",
                "t22"."value_minor",
                "t22"."firms",
                "t17"."year",
                "t17"."sub",
                "t17"."months",
                "t17"."period",
                "t17"."complete"
              FROM (
                SELECT
                  *
                FROM "t4" AS "t7"
                UNION ALL
                SELECT
                  *
                FROM (
                  SELECT
                    *
                  FROM (
                    SELECT
                      "t16"."flow",
                      "t16"."ordinal",
                      "t16"."member",
                      CAST(0 AS BIGINT) AS "value_minor",
                      CAST(0 AS BIGINT) AS "firms"
                    FROM (
                      SELECT
                        "t7"."flow",
                        "t7"."member",
                        "t7"."ordinal" + 1 AS "ordinal"
                      FROM "t4" AS "t7"
                    ) AS "t16"
                    SEMI JOIN (
                      SELECT
                        "t8"."ordinal"
                      FROM "t5" AS "t8"
                    ) AS "t14"
                      ON "t16"."ordinal" = "t14"."ordinal"
                    ANTI JOIN "t4" AS "t9"
                      ON "t16"."flow" = "t9"."flow"
                      AND "t16"."ordinal" = "t9"."ordinal"
                      AND "t16"."member" = "t9"."member"
                  ) AS "t18"
                ) AS "t20"
              ) AS "t22"
              INNER JOIN (
                SELECT
                  "t8"."ordinal",
                  "t8"."year",
                  "t8"."sub",
                  "t8"."months",
                  CAST("t8"."year" AS TEXT) AS "period",
                  "t8"."months" >= 12 AS "complete"
                FROM "t5" AS "t8"
              ) AS "t17"
                ON "t22"."ordinal" = "t17"."ordinal"
            ) AS "t26"
          ) AS "t31"
          INNER JOIN (
            SELECT
              "t32"."flow",
              "t32"."ordinal",
              "t32"."total_minor",
              "t32"."total_ytd_minor",
              "t32"."py_total_minor"
            FROM (
              SELECT
                "t28"."flow",
                "t28"."ordinal",
                "t28"."total_minor",
                "t28"."total_ytd_minor",
                "t29"."flow" AS "flow_right",
                "t29"."ordinal" AS "ordinal_right",
                "t29"."py_total_minor"
              FROM (
                SELECT
                  "t24"."flow",
                  "t24"."ordinal",
                  "t24"."total_minor",
                  "t24"."total_ytd_minor"
                FROM "t23" AS "t24"
              ) AS "t28"
              LEFT OUTER JOIN (
                SELECT
                  "t24"."flow",
                  "t24"."ordinal" + 1 AS "ordinal",
                  "t24"."total_minor" AS "py_total_minor"
                FROM "t23" AS "t24"
              ) AS "t29"
                ON "t28"."flow" = "t29"."flow" AND "t28"."ordinal" = "t29"."ordinal"
            ) AS "t32"
          ) AS "t34"
            ON "t31"."flow" = "t34"."flow" AND "t31"."ordinal" = "t34"."ordinal"
        ) AS "t38"
          ON "t31"."flow" = "t38"."flow"
          AND "t31"."ordinal" = "t38"."ordinal"
          AND "t31"."member" = "t38"."member"
      ) AS "t39"
    ) AS "t41"
    LEFT OUTER JOIN (
      SELECT
        "t31"."flow",
        "t31"."member",
        "t31"."ordinal" + 1 AS "ordinal",
        "t31"."value_minor" AS "pp_minor"
      FROM (
        SELECT
          "t26"."flow",
          "t26"."ordinal",
          "t26"."member",
          "t26"."value_minor",
          "t26"."firms",
          "t26"."year",
          "t26"."sub",
          "t26"."months",
          "t26"."period",
          "t26"."complete",
          SUM("t26"."value_minor") OVER (
            PARTITION BY "t26"."flow", "t26"."member", "t26"."year"
            ORDER BY "t26"."sub" ASC
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
          ) AS "ytd_minor"
        FROM (
          SELECT
            "t22"."flow",
            "t22"."ordinal",
            "t22"."member",
            "t22"."value_minor",
            "t22"."firms",
            "t17"."year",
            "t17"."sub",
            "t17"."months",
            "t17"."period",
            "t17"."complete"
          FROM (
            SELECT
              *
            FROM "t4" AS "t7"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t16"."flow",
                  "t16"."ordinal",
                  "t16"."member",
                  CAST(0 AS BIGINT) AS "value_minor",
                  CAST(0 AS BIGINT) AS "firms"
                FROM (
                  SELECT
                    "t7"."flow",
                    "t7"."member",
                    "t7"."ordinal" + 1 AS "ordinal"
                  FROM "t4" AS "t7"
                ) AS "t16"
                SEMI JOIN (
                  SELECT
                    "t8"."ordinal"
                  FROM "t5" AS "t8"
                ) AS "t14"
                  ON "t16"."ordinal" = "t14"."ordinal"
                ANTI JOIN "t4" AS "t9"
                  ON "t16"."flow" = "t9"."flow"
                  AND "t16"."ordinal" = "t9"."ordinal"
                  AND "t16"."member" = "t9"."member"
              ) AS "t18"
            ) AS "t20"
          ) AS "t22"
          INNER JOIN (
            SELECT
              "t8"."ordinal",
              "t8"."year",
              "t8"."sub",
              "t8"."months",
              CAST("t8"."year" AS TEXT) AS "period",
              "t8"."months" >= 12 AS "complete"
            FROM "t5" AS "t8"
          ) AS "t17"
            ON "t22"."ordinal" = "t17"."ordinal"
        ) AS "t26"
      ) AS "t31"
      INNER JOIN (
        SELECT
          "t32"."flow",
          "t32"."ordinal",
          "t32"."total_minor",
          "t32"."total_ytd_minor",
          "t32"."py_total_minor"
        FROM (
          SELECT
            "t28"."flow",
            "t28"."ordinal",
            "t28"."total_minor",
            "t28"."total_ytd_minor",
            "t29"."flow" AS "flow_right",
            "t29"."ordinal" AS "ordinal_right",
            "t29"."py_total_minor"
          FROM (
            SELECT
              "t24"."flow",
              "t24"."ordinal",
              "t24"."total_minor",
              "t24"."total_ytd_minor"
            FROM "t23" AS "t24"
          ) AS "t28"
          LEFT OUTER JOIN (
            SELECT
              "t24"."flow",
              "t24"."ordinal" + 1 AS "ordinal",
              "t24"."total_minor" AS "py_total_minor"
            FROM "t23" AS "t24"
          ) AS "t29"
            ON "t28"."flow" = "t29"."flow" AND "t28"."ordinal" = "t29"."ordinal"
        ) AS "t32"
      ) AS "t34"
        ON "t31"."flow" = "t34"."flow" AND "t31"."ordinal" = "t34"."ordinal"
    ) AS "t37"
      ON "t41"."flow" = "t37"."flow"
      AND "t41"."ordinal" = "t37"."ordinal"
      AND "t41"."member" = "t37"."member"
  ) AS "t42"
) AS "t43"
