WITH "t12" AS (
  SELECT
    *
  FROM "temp"."main"."CACHED" AS "t1"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t9"."flow",
        "t9"."ordinal",
        "t9"."cut",
        "t9"."member",
        CAST(0 AS BIGINT) AS "value_minor",
        CAST(0 AS BIGINT) AS "firms"
      FROM (
        SELECT
          "t1"."flow",
          "t1"."cut",
          "t1"."member",
          "t1"."ordinal" + 2 AS "ordinal"
        FROM "temp"."main"."CACHED" AS "t1"
      ) AS "t9"
      SEMI JOIN (
        SELECT
          "t0"."ordinal"
        FROM "temp"."main"."CACHED" AS "t0"
      ) AS "t6"
        ON "t9"."ordinal" = "t6"."ordinal"
      ANTI JOIN "temp"."main"."CACHED" AS "t3"
        ON "t9"."flow" = "t3"."flow"
        AND "t9"."ordinal" = "t3"."ordinal"
        AND "t9"."cut" = "t3"."cut"
        AND "t9"."member" = "t3"."member"
    ) AS "t10"
  ) AS "t11"
), "t27" AS (
  SELECT
    "t26"."flow",
    "t26"."ordinal",
    "t26"."cut",
    "t26"."member",
    "t26"."value_minor",
    "t26"."firms",
    "t26"."year",
    "t26"."sub",
    "t26"."months",
    "t26"."period",
    "t26"."complete",
    SUM("t26"."value_minor") OVER (
      PARTITION BY "t26"."flow", "t26"."cut", "t26"."member", "t26"."year"
      ORDER BY "t26"."sub" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "ytd_minor"
  FROM (
    SELECT
      "t25"."flow",
      "t25"."ordinal",
      "t25"."cut",
      "t25"."member",
      "t25"."value_minor",
      "t25"."firms",
      "t2"."year",
      "t2"."sub",
      "t2"."months",
      "t2"."period",
      "t2"."complete"
    FROM (
      SELECT
        *
      FROM "t12" AS "t13"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t21"."flow",
            "t21"."ordinal",
            "t21"."cut",
            "t21"."member",
            CAST(0 AS BIGINT) AS "value_minor",
            CAST(0 AS BIGINT) AS "firms"
          FROM (
            SELECT
              "t19"."flow",
              "t19"."cut",
              "t19"."member",
              "t19"."ordinal"
            FROM (
              SELECT
                "t18"."flow",
                "t18"."cut",
                "t18"."member",
                "t18"."year",
                "t18"."first",
                "t7"."ordinal",
                "t7"."sub"
              FROM (
                SELECT
                  "t16"."flow",
                  "t16"."cut",
                  "t16"."member",
                  "t16"."year",
                  MIN("t16"."sub") AS "first"
                FROM (
                  SELECT
                    "t15"."flow",
                    "t15"."ordinal",
                    "t15"."cut",
                    "t15"."member",
                    "t15"."value_minor",
                    "t15"."firms",
                    "t7"."year",
                    "t7"."sub"
                  FROM "t12" AS "t15"
                  INNER JOIN (
                    SELECT
                      "t0"."ordinal",
                      "t0"."year",
                      "t0"."sub"
                    FROM "temp"."main"."CACHED" AS "t0"
                  ) AS "t7"
                    ON "t15"."ordinal" = "t7"."ordinal"
                ) AS "t16"
                GROUP BY
                  1,
                  2,
                  3,
                  4
              ) AS "t18"
              INNER JOIN (
                SELECT
                  "t0"."ordinal",
                  "t0"."year",
                  "t0"."sub"
                FROM "temp"."main"."CACHED" AS "t0"
              ) AS "t7"
                ON "t18"."year" = "t7"."year"
            ) AS "t19"
            WHERE
              "t19"."sub" > "t19"."first"
          ) AS "t21"
          ANTI JOIN "t12" AS "t14"
            ON "t21"."flow" = "t14"."flow"
            AND "t21"."ordinal" = "t14"."ordinal"
            AND "t21"."cut" = "t14"."cut"
            AND "t21"."member" = "t14"."member"
        ) AS "t22"
      ) AS "t23"
    ) AS "t25"
    INNER JOIN "temp"."main"."CACHED" AS "t2"
      ON "t25"."ordinal" = "t2"."ordinal"
  ) AS "t26"
)
SELECT
  "t46".*
  EXCLUDE ("cut")
FROM (
  SELECT
    "t45"."flow",
    "t45"."ordinal",
    "t45"."cut",
    "t45"."member",
    "t45"."value_minor",
    "t45"."firms",
    "t45"."year",
    "t45"."sub",
    "t45"."months",
    "t45"."period",
    "t45"."complete",
    "t45"."ytd_minor",
    "t45"."total_minor",
    "t45"."total_ytd_minor",
    "t45"."py_total_minor",
    "t45"."py_minor",
    "t45"."py_ytd_minor",
    "t45"."pp_minor",
    CAST("t45"."value_minor" AS DOUBLE) / 100 AS "level",
    CAST((
      "t45"."value_minor" - "t45"."py_minor"
    ) * 100 AS DOUBLE) / CAST(NULLIF("t45"."py_minor", 0) AS DOUBLE) AS "growth_yoy",
    CAST((
      "t45"."value_minor" - "t45"."pp_minor"
    ) * 100 AS DOUBLE) / CAST(NULLIF("t45"."pp_minor", 0) AS DOUBLE) AS "growth_pop",
    CAST("t45"."value_minor" * 100 AS DOUBLE) / CAST(NULLIF("t45"."total_minor", 0) AS DOUBLE) AS "share",
    CAST((
      "t45"."value_minor" - COALESCE("t45"."py_minor", 0)
    ) * 100 AS DOUBLE) / CAST(NULLIF("t45"."py_total_minor", 0) AS DOUBLE) AS "contribution",
    CAST("t45"."ytd_minor" AS DOUBLE) / 100 AS "ytd_level",
    CAST((
      "t45"."ytd_minor" - "t45"."py_ytd_minor"
    ) * 100 AS DOUBLE) / CAST(NULLIF("t45"."py_ytd_minor", 0) AS DOUBLE) AS "ytd_growth",
    (
      CAST("t45"."value_minor" AS DOUBLE) / 100
    ) / CAST(NULLIF("t45"."firms", 0) AS DOUBLE) AS "avg_per_firm"
  FROM (
    SELECT
      "t44".*
      EXCLUDE ("cut_right", "flow_right", "member_right", "ordinal_right")
    FROM (
      SELECT
        "t43"."flow",
        "t43"."ordinal",
        "t43"."cut",
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
        "t39"."flow" AS "flow_right",
        "t39"."cut" AS "cut_right",
        "t39"."member" AS "member_right",
        "t39"."ordinal" AS "ordinal_right",
        "t39"."pp_minor"
      FROM (
        SELECT
          "t41".*
          EXCLUDE ("cut_right", "flow_right", "member_right", "ordinal_right")
        FROM (
          SELECT
            "t29"."flow",
            "t29"."ordinal",
            "t29"."cut",
            "t29"."member",
            "t29"."value_minor",
            "t29"."firms",
            "t29"."year",
            "t29"."sub",
            "t29"."months",
            "t29"."period",
            "t29"."complete",
            "t29"."ytd_minor",
            "t36"."total_minor",
            "t36"."total_ytd_minor",
            "t36"."py_total_minor",
            "t40"."flow" AS "flow_right",
            "t40"."cut" AS "cut_right",
            "t40"."member" AS "member_right",
            "t40"."ordinal" AS "ordinal_right",
            "t40"."py_minor",
            "t40"."py_ytd_minor"
          FROM "t27" AS "t29"
          INNER JOIN (
            SELECT
              "t34"."flow",
              "t34"."ordinal",
              "t34"."total_minor",
              "t34"."total_ytd_minor",
              "t34"."py_total_minor"
            FROM (
              SELECT
                "t32"."flow",
                "t32"."ordinal",
                "t32"."total_minor",
                "t32"."total_ytd_minor",
                "t33"."flow" AS "flow_right",
                "t33"."ordinal" AS "ordinal_right",
                "t33"."py_total_minor"
              FROM (
                SELECT
                  "t28"."flow",
                  "t28"."ordinal",
                  "t28"."value_minor" AS "total_minor",
                  "t28"."ytd_minor" AS "total_ytd_minor"
                FROM "t27" AS "t28"
                WHERE
                  "t28"."cut" = 'total'
              ) AS "t32"
              LEFT OUTER JOIN (
                SELECT
                  "t28"."flow",
                  "t28"."ordinal" + 2 AS "ordinal",
                  "t28"."value_minor" AS "py_total_minor"
                FROM "t27" AS "t28"
                WHERE
                  "t28"."cut" = 'total'
              ) AS "t33"
                ON "t32"."flow" = "t33"."flow" AND "t32"."ordinal" = "t33"."ordinal"
            ) AS "t34"
          ) AS "t36"
            ON "t29"."flow" = "t36"."flow" AND "t29"."ordinal" = "t36"."ordinal"
          LEFT OUTER JOIN (
            SELECT
              "t29"."flow",
              "t29"."cut",
              "t29"."member",
              "t29"."ordinal" + 2 AS "ordinal",
              "t29"."value_minor" AS "py_minor",
              "t29"."ytd_minor" AS "py_ytd_minor"
            FROM "t27" AS "t29"
            INNER JOIN (
              SELECT
                "t34"."flow",
                "t34"."ordinal",
                "t34"."total_minor",
                "t34"."total_ytd_minor",
                "t34"."py_total_minor"
              FROM (
                SELECT
                  "t32"."flow",
                  "t32"."ordinal",
                  "t32"."total_minor",
                  "t32"."total_ytd_minor",
                  "t33"."flow" AS "flow_right",
                  "t33"."ordinal" AS "ordinal_right",
                  "t33"."py_total_minor"
                FROM (
                  SELECT
                    "t28"."flow",
                    "t28"."ordinal",
                    "t28"."value_minor" AS "total_minor",
                    "t28"."ytd_minor" AS "total_ytd_minor"
                  FROM "t27" AS "t28"
                  WHERE
                    "t28"."cut" = 'total'
                ) AS "t32"
                LEFT OUTER JOIN (
                  SELECT
                    "t28"."flow",
                    "t28"."ordinal" + 2 AS "ordinal",
                    "t28"."value_minor" AS "py_total_minor"
                  FROM "t27" AS "t28"
                  WHERE
                    "t28"."cut" = 'total'
                ) AS "t33"
                  ON "t32"."flow" = "t33"."flow" AND "t32"."ordinal" = "t33"."ordinal"
              ) AS "t34"
            ) AS "t36"
              ON "t29"."flow" = "t36"."flow" AND "t29"."ordinal" = "t36"."ordinal"
          ) AS "t40"
            ON "t29"."flow" = "t40"."flow"
            AND "t29"."ordinal" = "t40"."ordinal"
            AND "t29"."cut" = "t40"."cut"
            AND "t29"."member" = "t40"."member"
        ) AS "t41"
      ) AS "t43"
      LEFT OUTER JOIN (
        SELECT
          "t29"."flow",
          "t29"."cut",
          "t29"."member",
          "t29"."ordinal" + 1 AS "ordinal",
          "t29"."value_minor" AS "pp_minor"
        FROM "t27" AS "t29"
        INNER JOIN (
          SELECT
            "t34"."flow",
            "t34"."ordinal",
            "t34"."total_minor",
            "t34"."total_ytd_minor",
            "t34"."py_total_minor"
          FROM (
            SELECT
              "t32"."flow",
              "t32"."ordinal",
              "t32"."total_minor",
              "t32"."total_ytd_minor",
              "t33"."flow" AS "flow_right",
              "t33"."ordinal" AS "ordinal_right",
              "t33"."py_total_minor"
            FROM (
              SELECT
                "t28"."flow",
                "t28"."ordinal",
                "t28"."value_minor" AS "total_minor",
                "t28"."ytd_minor" AS "total_ytd_minor"
              FROM "t27" AS "t28"
              WHERE
                "t28"."cut" = 'total'
            ) AS "t32"
            LEFT OUTER JOIN (
              SELECT
                "t28"."flow",
                "t28"."ordinal" + 2 AS "ordinal",
                "t28"."value_minor" AS "py_total_minor"
              FROM "t27" AS "t28"
              WHERE
                "t28"."cut" = 'total'
            ) AS "t33"
              ON "t32"."flow" = "t33"."flow" AND "t32"."ordinal" = "t33"."ordinal"
          ) AS "t34"
        ) AS "t36"
          ON "t29"."flow" = "t36"."flow" AND "t29"."ordinal" = "t36"."ordinal"
      ) AS "t39"
        ON "t43"."flow" = "t39"."flow"
        AND "t43"."ordinal" = "t39"."ordinal"
        AND "t43"."cut" = "t39"."cut"
        AND "t43"."member" = "t39"."member"
    ) AS "t44"
  ) AS "t45"
  WHERE
    "t45"."cut" = 'partner'
) AS "t46"
