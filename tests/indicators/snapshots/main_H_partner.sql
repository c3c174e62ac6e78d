WITH "t14" AS (
  SELECT
    "t10"."flow",
    "t10"."ordinal",
    "t10"."total_minor",
    "t10"."year",
    "t10"."sub",
    "t10"."months",
    "t10"."period",
    "t10"."complete",
    SUM("t10"."total_minor") OVER (
      PARTITION BY "t10"."flow", "t10"."year"
      ORDER BY "t10"."sub" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "total_ytd_minor"
  FROM (
    SELECT
      "t8"."flow",
      "t8"."ordinal",
      "t8"."total_minor",
      "t3"."year",
      "t3"."sub",
      "t3"."months",
      "t3"."period",
      "t3"."complete"
    FROM (
      SELECT
        "t0"."flow",
        "t0"."ordinal",
        "t0"."value_minor" AS "total_minor"
      FROM "temp"."main"."CACHED" AS "t0"
      WHERE
        "t0"."cut" = 'total'
    ) AS "t8"
    INNER JOIN "temp"."main"."CACHED" AS "t3"
      ON "t8"."ordinal" = "t3"."ordinal"
  ) AS "t10"
)
SELECT
  "t36".*
  EXCLUDE ("cut")
FROM (
  SELECT
    "t35"."flow",
    "t35"."ordinal",
    "t35"."cut",
    "t35"."member",
    "t35"."value_minor",
    "t35"."firms",
    "t35"."year",
    "t35"."sub",
    "t35"."months",
    "t35"."period",
    "t35"."complete",
    "t35"."ytd_minor",
    "t35"."total_minor",
    "t35"."total_ytd_minor",
    "t35"."py_total_minor",
    "t35"."py_minor",
    "t35"."py_ytd_minor",
    "t35"."pp_minor",
    CAST("t35"."value_minor" AS DOUBLE) / 100 AS "level",
    (
      (
        CAST("t35"."value_minor" AS DOUBLE) / CAST(NULLIF("t35"."py_minor", 0) AS DOUBLE)
      ) - 1
    ) * 100 AS "growth_yoy",
    (
      (
        CAST("t35"."value_minor" AS DOUBLE) / CAST(NULLIF("t35"."pp_minor", 0) AS DOUBLE)
      ) - 1
    ) * 100 AS "growth_pop",
    (
      CAST("t35"."value_minor" AS DOUBLE) / CAST(NULLIF("t35"."total_minor", 0) AS DOUBLE)
    ) * 100 AS "share",
    (
      CAST("t35"."value_minor" - COALESCE("t35"."py_minor", 0) AS DOUBLE) / CAST(NULLIF("t35"."py_total_minor", 0) AS DOUBLE)
    ) * 100 AS "contribution",
    CAST("t35"."ytd_minor" AS DOUBLE) / 100 AS "ytd_level",
    (
      (
        CAST("t35"."ytd_minor" AS DOUBLE) / CAST(NULLIF("t35"."py_ytd_minor", 0) AS DOUBLE)
      ) - 1
    ) * 100 AS "ytd_growth",
    (
      CAST("t35"."value_minor" AS DOUBLE) / 100
    ) / CAST(NULLIF("t35"."firms", 0) AS DOUBLE) AS "avg_per_firm"
  FROM (
    SELECT
      "t34".*
      EXCLUDE ("cut_right", "flow_right", "member_right", "ordinal_right")
    FROM (
      SELECT
        "t33"."flow",
        "t33"."ordinal",
        "t33"."cut",
        "t33"."member",
        "t33"."value_minor",
        "t33"."firms",
        "t33"."year",
        "t33"."sub",
        "t33"."months",
        "t33"."period",
        "t33"."complete",
        "t33"."ytd_minor",
        "t33"."total_minor",
        "t33"."total_ytd_minor",
        "t33"."py_total_minor",
        "t33"."py_minor",
        "t33"."py_ytd_minor",
        "t29"."flow" AS "flow_right",
        "t29"."cut" AS "cut_right",
        "t29"."member" AS "member_right",
        "t29"."ordinal" AS "ordinal_right",
        "t29"."pp_minor"
      FROM (
        SELECT
          "t31".*
          EXCLUDE ("cut_right", "flow_right", "member_right", "ordinal_right")
        FROM (
          SELECT
            "t24"."flow",
            "t24"."ordinal",
            "t24"."cut",
            "t24"."member",
            "t24"."value_minor",
            "t24"."firms",
            "t24"."year",
            "t24"."sub",
            "t24"."months",
            "t24"."period",
            "t24"."complete",
            "t24"."ytd_minor",
            "t26"."total_minor",
            "t26"."total_ytd_minor",
            "t26"."py_total_minor",
            "t30"."flow" AS "flow_right",
            "t30"."cut" AS "cut_right",
            "t30"."member" AS "member_right",
            "t30"."ordinal" AS "ordinal_right",
            "t30"."py_minor",
            "t30"."py_ytd_minor"
          FROM (
            SELECT
              "t20"."flow",
              "t20"."ordinal",
              "t20"."cut",
              "t20"."member",
              "t20"."value_minor",
              "t20"."firms",
              "t20"."year",
              "t20"."sub",
              "t20"."months",
              "t20"."period",
              "t20"."complete",
              SUM("t20"."value_minor") OVER (
                PARTITION BY "t20"."flow", "t20"."cut", "t20"."member", "t20"."year"
                ORDER BY "t20"."sub" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
              ) AS "ytd_minor"
            FROM (
              SELECT
                "t15"."flow",
                "t15"."ordinal",
                "t15"."cut",
                "t15"."member",
                "t15"."value_minor",
                "t15"."firms",
                "t3"."year",
                "t3"."sub",
                "t3"."months",
                "t3"."period",
                "t3"."complete"
              FROM (
                SELECT
                  *
                FROM "temp"."main"."CACHED" AS "t0"
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
                        "t0"."flow",
                        "t0"."cut",
                        "t0"."member",
                        "t0"."ordinal" + 2 AS "ordinal"
                      FROM "temp"."main"."CACHED" AS "t0"
                    ) AS "t9"
                    SEMI JOIN (
                      SELECT
                        "t1"."ordinal"
                      FROM "temp"."main"."CACHED" AS "t1"
                    ) AS "t7"
                      ON "t9"."ordinal" = "t7"."ordinal"
                    ANTI JOIN "temp"."main"."CACHED" AS "t2"
                      ON "t9"."flow" = "t2"."flow"
                      AND "t9"."ordinal" = "t2"."ordinal"
                      AND "t9"."cut" = "t2"."cut"
                      AND "t9"."member" = "t2"."member"
                  ) AS "t11"
                ) AS "t12"
              ) AS "t15"
              INNER JOIN "temp"."main"."CACHED" AS "t3"
                ON "t15"."ordinal" = "t3"."ordinal"
            ) AS "t20"
          ) AS "t24"
          INNER JOIN (
            SELECT
              "t23"."flow",
              "t23"."ordinal",
              "t23"."total_minor",
              "t23"."total_ytd_minor",
              "t23"."py_total_minor"
            FROM (
              SELECT
                "t19"."flow",
                "t19"."ordinal",
                "t19"."total_minor",
                "t19"."total_ytd_minor",
                "t21"."flow" AS "flow_right",
                "t21"."ordinal" AS "ordinal_right",
                "t21"."py_total_minor"
              FROM (
                SELECT
                  "t16"."flow",
                  "t16"."ordinal",
                  "t16"."total_minor",
                  "t16"."total_ytd_minor"
                FROM "t14" AS "t16"
              ) AS "t19"
              LEFT OUTER JOIN (
                SELECT
                  "t16"."flow",
                  "t16"."ordinal" + 2 AS "ordinal",
                  "t16"."total_minor" AS "py_total_minor"
                FROM "t14" AS "t16"
              ) AS "t21"
                ON "t19"."flow" = "t21"."flow" AND "t19"."ordinal" = "t21"."ordinal"
            ) AS "t23"
          ) AS "t26"
            ON "t24"."flow" = "t26"."flow" AND "t24"."ordinal" = "t26"."ordinal"
          LEFT OUTER JOIN (
            SELECT
              "t24"."flow",
              "t24"."cut",
              "t24"."member",
              "t24"."ordinal" + 2 AS "ordinal",
              "t24"."value_minor" AS "py_minor",
              "t24"."ytd_minor" AS "py_ytd_minor"
            FROM (
              SELECT
                "t20"."flow",
                "t20"."ordinal",
                "t20"."cut",
                "t20"."member",
                "t20"."value_minor",
                "t20"."firms",
                "t20"."year",
                "t20"."sub",
                "t20"."months",
                "t20"."period",
                "t20"."complete",
                SUM("t20"."value_minor") OVER (
                  PARTITION BY "t20"."flow", "t20"."cut", "t20"."member", "t20"."year"
                  ORDER BY "t20"."sub" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) AS "ytd_minor"
              FROM (
                SELECT
                  "t15"."flow",
                  "t15"."ordinal",
                  "t15"."cut",
                  "t15"."member",
                  "t15"."value_minor",
                  "t15"."firms",
                  "t3"."year",
                  "t3"."sub",
                  "t3"."months",
                  "t3"."period",
                  "t3"."complete"
                FROM (
                  SELECT
                    *
                  FROM "temp"."main"."CACHED" AS "t0"
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
                          "t0"."flow",
                          "t0"."cut",
                          "t0"."member",
                          "t0"."ordinal" + 2 AS "ordinal"
                        FROM "temp"."main"."CACHED" AS "t0"
                      ) AS "t9"
                      SEMI JOIN (
                        SELECT
                          "t1"."ordinal"
                        FROM "temp"."main"."CACHED" AS "t1"
                      ) AS "t7"
                        ON "t9"."ordinal" = "t7"."ordinal"
                      ANTI JOIN "temp"."main"."CACHED" AS "t2"
                        ON "t9"."flow" = "t2"."flow"
                        AND "t9"."ordinal" = "t2"."ordinal"
                        AND "t9"."cut" = "t2"."cut"
                        AND "t9"."member" = "t2"."member"
                    ) AS "t11"
                  ) AS "t12"
                ) AS "t15"
                INNER JOIN "temp"."main"."CACHED" AS "t3"
                  ON "t15"."ordinal" = "t3"."ordinal"
              ) AS "t20"
            ) AS "t24"
            INNER JOIN (
              SELECT
                "t23"."flow",
                "t23"."ordinal",
                "t23"."total_minor",
                "t23"."total_ytd_minor",
                "t23"."py_total_minor"
              FROM (
                SELECT
                  "t19"."flow",
                  "t19"."ordinal",
                  "t19"."total_minor",
                  "t19"."total_ytd_minor",
                  "t21"."flow" AS "flow_right",
                  "t21"."ordinal" AS "ordinal_right",
                  "t21"."py_total_minor"
                FROM (
                  SELECT
                    "t16"."flow",
                    "t16"."ordinal",
                    "t16"."total_minor",
                    "t16"."total_ytd_minor"
                  FROM "t14" AS "t16"
                ) AS "t19"
                LEFT OUTER JOIN (
                  SELECT
                    "t16"."flow",
                    "t16"."ordinal" + 2 AS "ordinal",
                    "t16"."total_minor" AS "py_total_minor"
                  FROM "t14" AS "t16"
                ) AS "t21"
                  ON "t19"."flow" = "t21"."flow" AND "t19"."ordinal" = "t21"."ordinal"
              ) AS "t23"
            ) AS "t26"
              ON "t24"."flow" = "t26"."flow" AND "t24"."ordinal" = "t26"."ordinal"
          ) AS "t30"
            ON "t24"."flow" = "t30"."flow"
            AND "t24"."ordinal" = "t30"."ordinal"
            AND "t24"."cut" = "t30"."cut"
            AND "t24"."member" = "t30"."member"
        ) AS "t31"
      ) AS "t33"
      LEFT OUTER JOIN (
        SELECT
          "t24"."flow",
          "t24"."cut",
          "t24"."member",
          "t24"."ordinal" + 1 AS "ordinal",
          "t24"."value_minor" AS "pp_minor"
        FROM (
          SELECT
            "t20"."flow",
            "t20"."ordinal",
            "t20"."cut",
            "t20"."member",
            "t20"."value_minor",
            "t20"."firms",
            "t20"."year",
            "t20"."sub",
            "t20"."months",
            "t20"."period",
            "t20"."complete",
            SUM("t20"."value_minor") OVER (
              PARTITION BY "t20"."flow", "t20"."cut", "t20"."member", "t20"."year"
              ORDER BY "t20"."sub" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS "ytd_minor"
          FROM (
            SELECT
              "t15"."flow",
              "t15"."ordinal",
              "t15"."cut",
              "t15"."member",
              "t15"."value_minor",
              "t15"."firms",
              "t3"."year",
              "t3"."sub",
              "t3"."months",
              "t3"."period",
              "t3"."complete"
            FROM (
              SELECT
                *
              FROM "temp"."main"."CACHED" AS "t0"
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
                      "t0"."flow",
                      "t0"."cut",
                      "t0"."member",
                      "t0"."ordinal" + 2 AS "ordinal"
                    FROM "temp"."main"."CACHED" AS "t0"
                  ) AS "t9"
                  SEMI JOIN (
                    SELECT
                      "t1"."ordinal"
                    FROM "temp"."main"."CACHED" AS "t1"
                  ) AS "t7"
                    ON "t9"."ordinal" = "t7"."ordinal"
                  ANTI JOIN "temp"."main"."CACHED" AS "t2"
                    ON "t9"."flow" = "t2"."flow"
                    AND "t9"."ordinal" = "t2"."ordinal"
                    AND "t9"."cut" = "t2"."cut"
                    AND "t9"."member" = "t2"."member"
                ) AS "t11"
              ) AS "t12"
            ) AS "t15"
            INNER JOIN "temp"."main"."CACHED" AS "t3"
              ON "t15"."ordinal" = "t3"."ordinal"
          ) AS "t20"
        ) AS "t24"
        INNER JOIN (
          SELECT
            "t23"."flow",
            "t23"."ordinal",
            "t23"."total_minor",
            "t23"."total_ytd_minor",
            "t23"."py_total_minor"
          FROM (
            SELECT
              "t19"."flow",
              "t19"."ordinal",
              "t19"."total_minor",
              "t19"."total_ytd_minor",
              "t21"."flow" AS "flow_right",
              "t21"."ordinal" AS "ordinal_right",
              "t21"."py_total_minor"
            FROM (
              SELECT
                "t16"."flow",
                "t16"."ordinal",
                "t16"."total_minor",
                "t16"."total_ytd_minor"
              FROM "t14" AS "t16"
            ) AS "t19"
            LEFT OUTER JOIN (
              SELECT
                "t16"."flow",
                "t16"."ordinal" + 2 AS "ordinal",
                "t16"."total_minor" AS "py_total_minor"
              FROM "t14" AS "t16"
            ) AS "t21"
              ON "t19"."flow" = "t21"."flow" AND "t19"."ordinal" = "t21"."ordinal"
          ) AS "t23"
        ) AS "t26"
          ON "t24"."flow" = "t26"."flow" AND "t24"."ordinal" = "t26"."ordinal"
      ) AS "t29"
        ON "t33"."flow" = "t29"."flow"
        AND "t33"."ordinal" = "t29"."ordinal"
        AND "t33"."cut" = "t29"."cut"
        AND "t33"."member" = "t29"."member"
    ) AS "t34"
  ) AS "t35"
  WHERE
    "t35"."cut" = 'partner'
) AS "t36"
